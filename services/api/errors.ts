import { AppError } from '../common/errors';

export { AppError, validationFailed } from '../common/errors';

export const notAuthenticated = () => new AppError(401, 'not-authenticated', 'sign in first');
export const invalidCredentials = () => new AppError(401, 'invalid-credentials', 'wrong user name or password');
export const accountLocked = (until: string) =>
  new AppError(423, 'account-locked', 'too many failed sign-ins; the account is locked for a while', { lockedUntil: until });
export const tooManyAttempts = () => new AppError(429, 'too-many-attempts', 'too many failed sign-ins from this address; wait and try again');
export const forbidden = (permission: string) =>
  new AppError(403, 'forbidden', 'your role does not allow this', { permission });
export const passwordChangeRequired = () =>
  new AppError(403, 'password-change-required', 'change the one-time password before doing anything else');
export const csrfFailed = () => new AppError(403, 'csrf-failed', 'missing or wrong X-CSRF-Token header');
export const notFound = (what: string, id: string | number) => new AppError(404, `${what}-not-found`, `${what} ${id} does not exist`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const payloadTooLarge = (limit: number) => new AppError(413, 'payload-too-large', `request body is larger than ${limit} bytes`);
export const unsupportedMediaType = () => new AppError(415, 'unsupported-media-type', 'send the body as application/json');
export const routeNotFound = (method: string, path: string) => new AppError(404, 'route-not-found', `no such endpoint: ${method} ${path}`);
