// Steps the UI tests share: sign in, change the one-time password.
import type { Page } from 'playwright-core';

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('pbx-login-page #username').fill(username);
  await page.locator('pbx-login-page #password').fill(password);
  await page.locator('pbx-login-page button[type=submit]').click();
}

export async function changeOneTimePassword(page: Page, current: string, next: string): Promise<void> {
  await page.locator('pbx-password-page #currentPassword').fill(current);
  await page.locator('pbx-password-page #newPassword').fill(next);
  await page.locator('pbx-password-page #repeat').fill(next);
  await page.locator('pbx-password-page button[type=submit]').click();
}

/** A small valid PNG (one colour), built without any image library. */
export { png } from '../../ui-lib/png-builder';
