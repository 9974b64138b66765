// Import jobs: the passwords for a big file are generated in chunks so the
// UI can show progress, then every row is written in one transaction. A job
// lives in memory for an hour; its passwords are handed out once, to the
// user who started it, and then forgotten.
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ExtensionFeatures, Store, Tenant } from '../../store';
import type { CreateExtensionInput } from '../routes/extensions/schema';
import { newSipSecret } from './create-extension';
import { assertExtensionsFit } from './extension-licence';
import { mergeFeatures } from './extension-rules';

const CHUNK = 250;
const KEEP_MS = 3600_000;

export type JobState = 'running' | 'done' | 'failed';

export interface ImportJob {
  id: string;
  userId: number;
  tenantId: number;
  state: JobState;
  total: number;
  done: number;
  created: number;
  error?: { code: string; message: string };
  /** Present until the first read after completion. */
  passwords?: Array<{ extension: string; sipUsername: string; password: string }>;
  passwordsDelivered: boolean;
}

export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();

  constructor(private readonly now: () => number = Date.now) {}

  get(id: string): ImportJob | undefined {
    this.expire();
    return this.jobs.get(id);
  }

  /** The job as its owner reads it; passwords go out once. */
  read(job: ImportJob): Omit<ImportJob, 'userId'> {
    const { userId: _u, ...view } = job;
    if (job.state === 'done' && job.passwords) {
      job.passwords = undefined;
      job.passwordsDelivered = true;
    }
    return view;
  }

  /** `limit`: the licence's extension limit, checked again inside the write transaction. */
  start(store: Store, tenant: Tenant, userId: number, inputs: CreateExtensionInput[], limit: number, onDone: (job: ImportJob) => void): ImportJob {
    this.expire();
    const job: ImportJob = { id: randomUUID(), userId, tenantId: tenant.id, state: 'running', total: inputs.length, done: 0, created: this.now(), passwordsDelivered: false };
    this.jobs.set(job.id, job);
    void this.run(store, tenant, job, inputs, limit).then(
      () => onDone(job),
      (e: unknown) => {
        job.state = 'failed';
        job.error = { code: (e as { code?: string }).code ?? 'import-failed', message: e instanceof Error ? e.message : String(e) };
        onDone(job);
      },
    );
    return job;
  }

  private async run(store: Store, tenant: Tenant, job: ImportJob, inputs: CreateExtensionInput[], limit: number): Promise<void> {
    const prepared: Array<{ input: CreateExtensionInput; username: string; password: string; ha1: { MD5: string; 'SHA-256': string }; features: ExtensionFeatures }> = [];
    for (let i = 0; i < inputs.length; i += CHUNK) {
      for (const input of inputs.slice(i, i + CHUNK)) {
        const username = input.sipUsername ?? input.extension;
        prepared.push({ input, username, ...newSipSecret(tenant, username), features: mergeFeatures(undefined, input) });
      }
      // The last step (the transaction) counts as the remaining few per cent.
      job.done = Math.min(inputs.length, Math.floor((i + CHUNK) * 0.95));
      await yieldToLoop();
    }
    const repo = store.extensions;
    store.transaction(() => {
      // Extensions made while the passwords were prepared count too.
      assertExtensionsFit(store, limit, prepared.length);
      for (const p of prepared) {
        const ext = repo.create({
          tenantId: tenant.id,
          extension: p.input.extension,
          displayName: p.input.displayName ?? '',
          sipUsername: p.username,
          ha1: p.ha1,
          outboundPermission: p.input.outboundPermission ?? 'internal',
          enabled: p.input.enabled ?? true,
        });
        store.extensionFeatures.set(ext.id, p.features);
      }
    });
    job.passwords = prepared.map((p) => ({ extension: p.input.extension, sipUsername: p.username, password: p.password }));
    job.done = job.total;
    job.state = 'done';
  }

  private expire(): void {
    const cutoff = this.now() - KEEP_MS;
    for (const [id, j] of this.jobs) if (j.created < cutoff && j.state !== 'running') this.jobs.delete(id);
  }
}
