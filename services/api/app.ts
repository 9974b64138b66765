// Builds the koa application: error shape, security headers, body, session,
// then the routers. Anything not matched under /api is a JSON 404.
import Koa from 'koa';
import type { ApiDeps, ApiState } from './context';
import { routeNotFound } from './errors';
import { errorHandler } from './middleware/errors';
import { jsonBody } from './middleware/json-body';
import { securityHeaders } from './middleware/security-headers';
import { session } from './middleware/session';
import { auditRoutes } from './routes/audit';
import { brandingRoutes } from './routes/branding';
import { extensionRoutes } from './routes/extensions';
import { cdrRoutes } from './routes/cdrs';
import { didRoutes, trunkRoutes } from './routes/trunks';
import { dialPlanRoutes } from './routes/dialplan';
import { callFlowRoutes } from './routes/call-flows';
import { myQueueRoutes, queueRoutes } from './routes/queues';
import { registrationRoutes } from './routes/registrations';
import { liveCallRoutes } from './routes/live-calls';
import { banRoutes } from './routes/bans';
import { sipSettingsRoutes } from './routes/sip-settings';
import { promptRoutes } from './routes/prompts';
import { gatewayRoutes, numberRangeRoutes, simRoutes } from './routes/fmc';
import { contactRoutes } from './routes/contacts';
import { backupRoutes } from './routes/backups';
import { voicemailRoutes } from './routes/voicemail';
import { pdRequestRoutes } from './routes/pd-requests';
import { systemRoutes } from './routes/system';
import { authRoutes } from './routes/auth';
import { healthRoutes } from './routes/health';
import { licenseRoutes } from './routes/license';
import { recordingRoutes } from './routes/recordings';
import { alarmRoutes } from './routes/recordings/alarms';
import { mailRoutes } from './routes/mail';
import { tenantRoutes } from './routes/tenants';
import { userRoutes } from './routes/users';
import type Router from '@koa/router';
import { FingerprintCache } from './commands/fingerprint-cache';

export interface BuiltApp {
  app: Koa<ApiState>;
  routers: Router<ApiState>[];
}

export function buildApp(given: ApiDeps, extraRouters: Router<ApiState>[] = [], fallback?: Koa.Middleware<ApiState>): BuiltApp {
  const deps: ApiDeps = { ...given, fingerprint: given.fingerprint ?? new FingerprintCache().get };
  const app = new Koa<ApiState>({ proxy: false });
  const routers = [
    healthRoutes(deps, new Date()),
    authRoutes(deps),
    tenantRoutes(deps),
    userRoutes(deps),
    auditRoutes(deps),
    licenseRoutes(deps),
    brandingRoutes(deps),
    systemRoutes(deps),
    recordingRoutes(deps),
    alarmRoutes(deps),
    extensionRoutes(deps),
    cdrRoutes(deps),
    trunkRoutes(deps),
    didRoutes(deps),
    dialPlanRoutes(deps),
    ...callFlowRoutes(deps),
    registrationRoutes(deps),
    banRoutes(deps),
    sipSettingsRoutes(deps),
    liveCallRoutes(deps),
    promptRoutes(deps),
    gatewayRoutes(deps),
    simRoutes(deps),
    numberRangeRoutes(deps),
    contactRoutes(deps),
    queueRoutes(deps),
    myQueueRoutes(deps),
    backupRoutes(deps),
    voicemailRoutes(deps),
    mailRoutes(deps),
    pdRequestRoutes(deps),
    ...extraRouters,
  ];
  app.use(errorHandler(deps.log));
  app.use(securityHeaders());
  // Authentication before the body: an anonymous client gets its 401 without
  // the api reading (up to 4 MB of) what it sent.
  app.use(session(deps));
  app.use(jsonBody());
  for (const r of routers) {
    app.use(r.routes());
    app.use(r.allowedMethods());
  }
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/api/')) throw routeNotFound(ctx.method, ctx.path);
    if (fallback) return fallback(ctx, next);
    return next();
  });
  return { app, routers };
}
