// Who reaches which box, and what the api answers about one (never the PIN
// hash). An employee reaches only the boxes of the extensions linked to
// their user; other roles their tenant's boxes; out of reach looks missing.
import type { Store, User, VoicemailBox, VoicemailMessage } from '../../../store';
import type { ApiDeps } from '../../context';
import { AppError, notFound, validationFailed } from '../../errors';
import { inScope } from '../../scope';
import type { BoxInput } from './schema';

export function reaches(store: Pick<Store, 'voicemail'>, user: User, box: VoicemailBox): boolean {
  if (!inScope(user, box.tenantId)) return false;
  if (user.role !== 'employee') return true;
  return store.voicemail.boxesOfUser(user.id).some((b) => b.id === box.id);
}

export function loadBox(deps: ApiDeps, user: User, rawId: string | undefined): VoicemailBox {
  const id = Number(rawId);
  const box = Number.isInteger(id) && id > 0 ? deps.store.voicemail.box(id) : undefined;
  if (!box || !reaches(deps.store, user, box)) throw notFound('voicemail-box', rawId ?? '');
  return box;
}

export function loadMessage(deps: ApiDeps, user: User, rawId: string | undefined): { box: VoicemailBox; message: VoicemailMessage } {
  const id = Number(rawId);
  const message = Number.isInteger(id) && id > 0 ? deps.store.voicemail.message(id) : undefined;
  const box = message ? deps.store.voicemail.box(message.boxId) : undefined;
  if (!message || !box || !reaches(deps.store, user, box)) throw notFound('voicemail-message', rawId ?? '');
  return { box, message };
}

export function boxView(store: Pick<Store, 'voicemail' | 'extensionFeatures'>, b: VoicemailBox) {
  const { pinHash, pinFailures: _f, extensionId: _e, ...rest } = b;
  const extension = b.extensionId === null ? null : (store.voicemail.extensionNumber(b.extensionId) ?? null);
  return { ...rest, extension, pinSet: pinHash !== null, locked: b.lockedUntil !== null && Date.parse(b.lockedUntil) > Date.now(), messages: store.voicemail.counts(b.id) };
}

export function messageView(m: VoicemailMessage) {
  const { filePath: _p, tenantKeyId: _k, fileSha256: _s, ...rest } = m;
  return { ...rest, audioUrl: `/api/voicemail/messages/${m.id}/audio`, downloadUrl: `/api/voicemail/messages/${m.id}/download` };
}

/** Checks the box's references within the tenant; every problem named by field. */
export function boxFields(deps: ApiDeps, tenantId: number, input: BoxInput, selfId?: number) {
  const problems: Array<{ field: string; message: string }> = [];
  let extensionId: number | null = null;
  if (input.extension !== null) {
    const ext = deps.store.extensions.get(tenantId, input.extension);
    if (!ext) problems.push({ field: 'extension', message: `extension ${input.extension} does not exist` });
    else {
      extensionId = ext.id;
      const other = deps.store.voicemail.boxOfExtension(tenantId, input.extension);
      if (other && other.id !== selfId) problems.push({ field: 'extension', message: `extension ${input.extension} already has box ${other.number}` });
    }
  }
  const other = deps.store.voicemail.boxByNumber(tenantId, input.number);
  if (other && other.id !== selfId) problems.push({ field: 'number', message: `box ${input.number} already exists` });
  const prompts = new Set(deps.store.prompts.list(tenantId).map((p) => p.id));
  for (const k of ['unavailable', 'busy', 'name'] as const) {
    const id = input.greetings[k];
    if (id !== null && !prompts.has(id)) problems.push({ field: `greetings.${k}`, message: `prompt ${id} does not exist` });
  }
  if (problems.length) throw validationFailed(problems);
  return { number: input.number, name: input.name, extensionId, greetings: input.greetings, maxMessageSeconds: input.maxMessageSeconds, maxMessages: input.maxMessages, email: input.email };
}

export const boxInUse = (number: string, users: string[]) =>
  new AppError(409, 'voicemail-box-in-use', `box ${number} is a destination of ${users.join(', ')}; point them elsewhere first`, { users });
