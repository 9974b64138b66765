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
    try {
      await next();
    } catch (e) {
      if (isAppError(e)) {
        ctx.status = e.status;
        ctx.body = e.toBody();
        return;
      }
      log.error('request failed', { requestId, method: ctx.method, path: ctx.path, err: e });
      ctx.status = 500;
      ctx.body = { status: 500, code: 'internal-error', message: 'internal error', details: { requestId } };
    }
  };
}
