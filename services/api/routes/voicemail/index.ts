// /api/voicemail: boxes (admins manage; an employee sees and sets the PIN of
// their own), and messages — listed with caller, time and duration, played
// in the browser, downloaded, marked read, deleted. Every write and every
// listen or download is audited, as for recordings; administrators hear
// messages only with the recordings listen grant (separate duties).
import { rm } from 'node:fs/promises';
import Router from '@koa/router';
import { referrersOf } from '../../../call-flows';
import type { Store, User } from '../../../store';
import { hashPin, MessageStore, openVoicemailVault } from '../../../voicemail';
import type { ApiDeps, ApiState } from '../../context';
import { forbidden } from '../../errors';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { loadFlowConfig } from '../call-flows/flow-config';
import { targetTenant } from '../extensions/extensions';
import { checkListen } from '../recordings/access';
import { boxFields, boxInUse, boxView, loadBox, loadMessage, messageView } from './boxes';
import { boxInputSchema, pinSchema } from './schema';

export function voicemailRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/voicemail' });
  // Opened on first use: the RBAC test builds the app over no store or keys.
  let store: MessageStore | undefined;
  const messages = () =>
    (store ??= new MessageStore({
      store: deps.store,
      vault: openVoicemailVault({ dataDir: deps.config.dataDir, ...(deps.config.recordings.masterKeyPath ? { masterKeyPath: deps.config.recordings.masterKeyPath } : {}) }),
      dataDir: deps.config.dataDir,
      log: deps.log,
    }));
  const visible = (user: User, tenantId: number | undefined) => (user.role === 'employee' ? deps.store.voicemail.boxesOfUser(user.id) : deps.store.voicemail.boxes(tenantId));

  router.get('/boxes', can(deps, 'voicemail.read'), async (ctx) => {
    const user = actorOf(ctx).user;
    const tenantId = tenantScope(user, requestedTenant(ctx.query, ctx.get('x-korobka-tenant')));
    ctx.body = { boxes: visible(user, tenantId).map((b) => boxView(deps.store, b)) };
  });

  router.get('/boxes/:id', can(deps, 'voicemail.read'), async (ctx) => {
    ctx.body = { box: boxView(deps.store, loadBox(deps, actorOf(ctx).user, ctx.params.id)) };
  });

  router.post('/boxes', can(deps, 'voicemail.write'), async (ctx) => {
    const input = parseInput(boxInputSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, input.tenantId);
    const fields = boxFields(deps, tenant.id, input);
    const box = deps.store.voicemail.createBox(tenant.id, fields, input.pin ? await hashPin(input.pin) : null);
    audit(deps, ctx, { tenantId: tenant.id, action: 'voicemail.box-create', target: `voicemail-box:${box.id}`, details: { number: box.number, extension: input.extension, pinSet: input.pin !== undefined } });
    ctx.status = 201;
    ctx.body = { box: boxView(deps.store, box) };
  });

  router.patch('/boxes/:id', can(deps, 'voicemail.write'), async (ctx) => {
    const cur = loadBox(deps, actorOf(ctx).user, ctx.params.id);
    const input = parseInput(boxInputSchema, ctx.state.body);
    const fields = boxFields(deps, cur.tenantId, input, cur.id);
    const pinHash = input.pin ? await hashPin(input.pin) : undefined;
    deps.store.transaction(() => {
      deps.store.voicemail.updateBox(cur.id, fields);
      if (pinHash) deps.store.voicemail.setPin(cur.id, pinHash);
    });
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'voicemail.box-update', target: `voicemail-box:${cur.id}`, details: { number: fields.number, pinChanged: input.pin !== undefined } });
    ctx.body = { box: boxView(deps.store, deps.store.voicemail.box(cur.id)!) };
  });

  router.delete('/boxes/:id', can(deps, 'voicemail.write'), async (ctx) => {
    const box = loadBox(deps, actorOf(ctx).user, ctx.params.id);
    const users = referrersOf(loadFlowConfig(deps, box.tenantId), 'voicemail', box.id);
    if (users.length) throw boxInUse(box.number, users);
    const files = deps.store.voicemail.messages(box.id);
    deps.store.voicemail.deleteBox(box.id);
    // The rows went with the box (ON DELETE CASCADE); a file left by a failure here is swept by call-control's start.
    for (const m of files) await rm(messages().absolute(m), { force: true });
    audit(deps, ctx, { tenantId: box.tenantId, action: 'voicemail.box-delete', target: `voicemail-box:${box.id}`, details: { number: box.number, messages: files.length } });
    ctx.status = 204;
  });

  // An employee sets the PIN of their own box; admins of any box in their reach.
  router.put('/boxes/:id/pin', can(deps, 'voicemail.pin'), async (ctx) => {
    const box = loadBox(deps, actorOf(ctx).user, ctx.params.id);
    const { pin } = parseInput(pinSchema, ctx.state.body);
    deps.store.voicemail.setPin(box.id, await hashPin(pin));
    audit(deps, ctx, { tenantId: box.tenantId, action: 'voicemail.pin-set', target: `voicemail-box:${box.id}` });
    ctx.body = { box: boxView(deps.store, deps.store.voicemail.box(box.id)!) };
  });

  router.get('/boxes/:id/messages', can(deps, 'voicemail.listen'), async (ctx) => {
    const box = loadBox(deps, actorOf(ctx).user, ctx.params.id);
    ctx.body = { box: boxView(deps.store, box), messages: deps.store.voicemail.messages(box.id).map(messageView) };
  });

  const listen = (action: 'voicemail.played' | 'voicemail.downloaded') => async (ctx: ApiContext) => {
    const user = actorOf(ctx).user;
    const { box, message } = loadMessage(deps, user, ctx.params.id);
    const trail = { tenantId: box.tenantId, action, target: `voicemail-message:${message.id}`, details: { box: box.number } };
    try {
      listenAllowed(deps.store, user);
    } catch (e) {
      audit(deps, ctx, { ...trail, outcome: 'denied' });
      throw e;
    }
    const wav = await messages().wav(message);
    audit(deps, ctx, trail);
    ctx.type = 'audio/wav';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', action === 'voicemail.downloaded' ? `attachment; filename="voicemail-${message.id}.wav"` : 'inline');
    ctx.body = wav;
  };

  router.get('/messages/:id/audio', can(deps, 'voicemail.listen'), listen('voicemail.played'));
  router.get('/messages/:id/download', can(deps, 'voicemail.listen'), listen('voicemail.downloaded'));

  router.put('/messages/:id/read', can(deps, 'voicemail.listen'), async (ctx) => {
    const { box, message } = loadMessage(deps, actorOf(ctx).user, ctx.params.id);
    const updated = deps.store.voicemail.markRead(message.id);
    audit(deps, ctx, { tenantId: box.tenantId, action: 'voicemail.mark-read', target: `voicemail-message:${message.id}` });
    ctx.body = { message: updated && messageView(updated) };
  });

  router.delete('/messages/:id', can(deps, 'voicemail.listen'), async (ctx) => {
    const { box, message } = loadMessage(deps, actorOf(ctx).user, ctx.params.id);
    await messages().remove(message.id);
    audit(deps, ctx, { tenantId: box.tenantId, action: 'voicemail.message-delete', target: `voicemail-message:${message.id}`, details: { box: box.number } });
    ctx.status = 204;
  });

  return router;
}

/** Supervisors and employees hear by role; administrators only with the recordings listen grant. */
function listenAllowed(store: Pick<Store, 'recordings'>, user: User): void {
  if (user.role === 'auditor') throw forbidden('voicemail.listen');
  checkListen(store, user);
}
