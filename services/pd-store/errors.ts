// Errors of the personal-data store, one factory per code.
import { AppError } from '../common/errors';

export const numberInvalid = (field: string, why: string) =>
  new AppError(400, 'validation-failed', `${field}: ${why}`, { fields: [{ field, message: why }] });
export const subjectNotFound = (id: string) => new AppError(404, 'pd-subject-not-found', `no data subject ${id}`, { subjectId: id });
export const subjectErased = (id: string) =>
  new AppError(410, 'pd-subject-erased', `data subject ${id} was erased: its key is destroyed and its data cannot be decrypted`, {
    subjectId: id,
  });
export const fieldUnreadable = (where: string) =>
  new AppError(
    500,
    'pd-field-unreadable',
    `a personal-data field (${where}) does not decrypt: altered, moved to another row or under another key`,
    { where },
  );
export const legalHold = (id: string, reason: string) =>
  new AppError(409, 'pd-legal-hold', `data subject ${id} is under legal hold (${reason}): erasure refused, nothing was changed`, {
    subjectId: id,
    reason,
  });
