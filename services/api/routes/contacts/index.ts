// /api/contacts: the tenant's contacts from the personal-data store. Every
// answer that carries decrypted fields writes an audit row naming the
// contacts and their data subjects by id — never a number or a name, and
// never the search text (it is personal data itself); writes are audited too.
import Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps, ApiState } from '../../context';
import { audit, can, type ApiContext } from '../../guard';
import { parseInput } from '../../validate';
import { ContactBook, contactInputSchema, type Contact } from '../../../pd-store';
import { importContacts } from '../../commands/import-contacts';
import { targetTenant } from '../extensions/extensions';
import { pdStoreOf } from './pd';

const listQuery = z.object({
  q: z.string().max(200, 'at most 200 characters').optional(),
  limit: z.coerce.number().int().min(1, 'must be 1–200').max(200, 'must be 1–200').default(50),
  offset: z.coerce.number().int().min(0, 'must be 0 or more').default(0),
});
const importSchema = z.object({
  csv: z.string({ message: 'required: the file text' }).min(1, 'the file is empty'),
  tenantId: z.number().int().positive().optional(),
});
const withTenant = contactInputSchema.extend({ tenantId: z.number().int().positive().optional() });
const patchSchema = contactInputSchema.partial().extend({ tenantId: z.number().int().positive().optional() });

export function contactRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/contacts' });
  let built: ContactBook | undefined;
  const book = () => (built ??= new ContactBook(pdStoreOf(deps)));

  const readAudit = (ctx: ApiContext, tenantId: number, contacts: Contact[], how: string) =>
    audit(deps, ctx, {
      tenantId,
      action: 'pd.read',
      target: 'contacts',
      details: { how, contactIds: contacts.map((c) => c.id), subjectIds: [...new Set(contacts.map((c) => c.subjectId))] },
    });

  router.get('/', can(deps, 'contacts.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    const q = parseInput(listQuery, ctx.query);
    if (q.q !== undefined && q.q.trim() !== '') {
      const { kind, contacts } = book().search(tenant.id, q.q, q.limit);
      readAudit(ctx, tenant.id, contacts, `search-${kind}`);
      ctx.body = { contacts, total: contacts.length, search: kind };
      return;
    }
    const { contacts, total } = book().list(tenant.id, q.limit, q.offset);
    readAudit(ctx, tenant.id, contacts, 'list');
    ctx.body = { contacts, total };
  });

  router.get('/:id', can(deps, 'contacts.read'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    const contact = book().get(tenant.id, ctx.params.id!);
    readAudit(ctx, tenant.id, [contact], 'view');
    ctx.body = { contact };
  });

  router.post('/', can(deps, 'contacts.write'), async (ctx) => {
    const { tenantId, ...input } = parseInput(withTenant, ctx.state.body);
    const tenant = targetTenant(deps, ctx, tenantId);
    const contact = book().create(tenant.id, input);
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'contact.create',
      target: `contact:${contact.id}`,
      details: { subjectId: contact.subjectId },
    });
    ctx.status = 201;
    ctx.body = { contact };
  });

  router.patch('/:id', can(deps, 'contacts.write'), async (ctx) => {
    const { tenantId, ...patch } = parseInput(patchSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, tenantId);
    const cur = book().get(tenant.id, ctx.params.id!);
    const contact = book().update(tenant.id, cur.id, { ...cur, ...patch });
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'contact.update',
      target: `contact:${cur.id}`,
      details: { subjectId: cur.subjectId, fields: Object.keys(patch) },
    });
    ctx.body = { contact };
  });

  router.delete('/:id', can(deps, 'contacts.write'), async (ctx) => {
    const tenant = targetTenant(deps, ctx);
    const { subjectId } = book().delete(tenant.id, ctx.params.id!);
    audit(deps, ctx, { tenantId: tenant.id, action: 'contact.delete', target: `contact:${ctx.params.id}`, details: { subjectId } });
    ctx.status = 204;
  });

  router.post('/import', can(deps, 'contacts.write'), async (ctx) => {
    const body = parseInput(importSchema, ctx.state.body);
    const tenant = targetTenant(deps, ctx, body.tenantId);
    const r = importContacts(book(), tenant.id, body.csv);
    audit(deps, ctx, {
      tenantId: tenant.id,
      action: 'contact.import',
      target: 'contacts',
      details: { imported: r.imported, failed: r.failed, subjectIds: r.subjectIds.length },
    });
    ctx.body = { imported: r.imported, failed: r.failed, ids: r.ids, errors: r.errors };
  });

  return router;
}
