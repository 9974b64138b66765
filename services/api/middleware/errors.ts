// Turns known errors into {status, code, message, details}; anything else
// becomes a plain 500 logged once with the request id.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { isAppError } from '../../common/errors';
import type { Logger } from '../../common/logger';

export function errorHandler(log: Logger): Middleware {
  return async (ctx, next) => {
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    // An absolute-form target with a host that does not parse (`GET http://[::1`) makes koa's ctx.path throw,
    // here and in every later middleware: answered 400 before anything reads it (found by the fuzz job).
    let path: string;
    try {
      path = ctx.path;
    } catch {
      ctx.status = 400;
      ctx.body = { status: 400, code: 'bad-request-target', message: 'the request target is not a valid URL', details: {} };
      return;
    }
    try {
      await next();
    } catch (e) {
      if (isAppError(e)) {
        ctx.status = e.status;
        ctx.body = e.toBody();
        return;
      }
      log.error('request failed', { requestId, method: ctx.method, path, err: e });
      ctx.status = 500;
      ctx.body = { status: 500, code: 'internal-error', message: 'internal error', details: { requestId } };
    }
  };
}
