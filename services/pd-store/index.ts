// What other services use of the personal-data store (issue 15).
export { PdStore, type Subject } from './pd-store';
export { PdKeys, type WrappedSubjectKey } from './pd-keys';
export { BlindIndex, NAME_PREFIX_MAX, NAME_PREFIX_MIN, type IndexKind } from './blind-index';
export { sealField, openField, fieldAad, type FieldRef } from './field-cipher';
export { normalisePhone, requirePhone, nameWords, type NumberResult } from './normalise';
export { subjectErased, subjectNotFound, fieldUnreadable, legalHold } from './errors';
export {
  ContactBook,
  contactInputSchema,
  contactNotFound,
  type Contact,
  type ContactInput,
  type ContactNumber,
  type SearchKind,
} from './contacts';
export { SubjectRequests, recordingsUnderHold, type SubjectData, type RequestMeta, type ErasureReport } from './subject-requests';
export { appendErasure, applyErasures, readErasures, ledgerFile, ERASURES_DIR, type ErasureEntry } from './erasure-ledger';
export { PdFields, usePdFields, isPersonalParty } from './pd-fields';
export { sealPlainCdrs } from './pd-scrub';
