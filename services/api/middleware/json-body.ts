// A small JSON body reader with a size limit; state-changing requests must
// be application/json, which also keeps cross-site form posts out.
import type { Middleware } from 'koa';
import { badRequest, payloadTooLarge, unsupportedMediaType } from '../errors';

const MAX = 1_048_576;

/** Larger bodies for the few endpoints that take whole files. */
const LARGER: Record<string, number> = {
  // 10,000 extension rows with every column filled.
  '/api/extensions/import': 4 * MAX,
  // A 10 MB audio file in base64 (×4/3) with its JSON around it; the
  // prompt library refuses anything over 10 MB by its decoded size.
  '/api/prompts/upload': 14 * MAX,
  // The whole DEF-9xx registry of the numbering plan (~1 MB of Cyrillic CSV, escaped in JSON).
  '/api/number-ranges/import': 8 * MAX,
  // 100,000 contact rows of a CRM export.
  '/api/contacts/import': 16 * MAX,
};

export function jsonBody(defaultLimit = MAX): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
    const limit = LARGER[ctx.path] ?? defaultLimit;
    const length = Number(ctx.get('content-length') || 0);
    if (length > limit) throw payloadTooLarge(limit);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw payloadTooLarge(limit);
      chunks.push(chunk as Buffer);
    }
    if (size === 0) {
      ctx.state.body = {};
      return next();
    }
    if (!ctx.is('application/json')) throw unsupportedMediaType();
    try {
      ctx.state.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch (e) {
      throw badRequest('invalid-json', `request body is not valid JSON: ${(e as Error).message}`);
    }
    return next();
  };
}
