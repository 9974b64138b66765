// The api's password rules (services/api/password.ts passwordProblem),
// checked as the user types so the form says what is wrong before sending.
import type { MessageKey } from '../../i18n';

export function passwordProblemKey(password: string, username: string): MessageKey | null {
  if (password.length < 10) return 'srv.passwordTooShort';
  if (password.length > 200) return 'srv.tooLong';
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'srv.passwordHasUsername';
  if (new Set(password).size < 5) return 'srv.passwordTooSimple';
  return null;
}
