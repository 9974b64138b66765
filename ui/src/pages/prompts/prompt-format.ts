// How a prompt's duration and an audio refusal read in the UI: shared by
// the prompts page and the prompt picker of the call-flow forms.
import { formErrorOf } from '../../components/field-errors';
import { isApiError } from '../../data/api';
import { formatNumber, t } from '../../i18n';

/** Seconds with one decimal under a minute, else m:ss. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return t('prompts.seconds', { n: formatNumber(ms / 1000, 1) });
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A refusal in the UI's words, with the server's reason (after "data: …: ") kept for detail. */
export function audioError(e: unknown): string {
  if (!isApiError(e) || !e.code.startsWith('prompt-')) return formErrorOf(e);
  const base = formErrorOf(e);
  const reason = e.message.split(': ').slice(2).join(': ');
  return reason ? `${base} (${reason})` : base;
}
