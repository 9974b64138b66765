/**
 * Copies a secret shown once to the clipboard; when the browser refuses
 * (policy or permission), selects the element that shows it so the person
 * can copy it by hand. Resolves true when the clipboard took it.
 */
export async function copySecret(text: string, shownIn: Element | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const sel = getSelection();
    if (sel && shownIn) sel.selectAllChildren(shownIn);
    return false;
  }
}
