import { describe, expect, it } from 'vitest';
import { decideRecording, policyFromRows, policyToRows, tenantRecordingPolicySchema, type TenantRecordingPolicy } from '../../services/recordings/recording-policy';

const policy = (p: Partial<TenantRecordingPolicy>): TenantRecordingPolicy => ({ extensions: {}, trunks: {}, ...p });

// name, policy, call → mode and the rule that decided
const table: Array<{ name: string; tenant: TenantRecordingPolicy; call: Omit<Parameters<typeof decideRecording>[0], 'tenant'>; mode: string; source: string }> = [
  { name: 'no rule at all: not recorded', tenant: policy({}), call: { direction: 'inbound', extension: '204', trunk: 'mts' }, mode: 'never', source: 'default' },
  { name: 'tenant-wide always', tenant: policy({ tenant: 'always' }), call: { direction: 'outbound', extension: '204' }, mode: 'always', source: 'tenant' },
  { name: 'extension more specific than tenant', tenant: policy({ tenant: 'on-demand', extensions: { '204': 'never' } }), call: { direction: 'inbound', extension: '204' }, mode: 'never', source: 'extension:204' },
  { name: 'trunk more specific than tenant', tenant: policy({ tenant: 'never', trunks: { mts: 'on-demand' } }), call: { direction: 'inbound', extension: '205', trunk: 'mts' }, mode: 'on-demand', source: 'trunk:mts' },
  { name: 'always on the trunk beats never on the extension', tenant: policy({ extensions: { '204': 'never' }, trunks: { mts: 'always' } }), call: { direction: 'inbound', extension: '204', trunk: 'mts' }, mode: 'always', source: 'trunk:mts' },
  { name: 'always on the extension beats never on the tenant', tenant: policy({ tenant: 'never', extensions: { '204': 'always' } }), call: { direction: 'outbound', extension: '204', trunk: 'mts' }, mode: 'always', source: 'extension:204' },
  { name: 'internal call: either party always records', tenant: policy({ extensions: { '204': 'never', '205': 'always' } }), call: { direction: 'internal', extension: ['204', '205'] }, mode: 'always', source: 'extension:205' },
  { name: 'internal call ignores a trunk', tenant: policy({ trunks: { mts: 'always' } }), call: { direction: 'internal', extension: ['204', '205'], trunk: 'mts' }, mode: 'never', source: 'default' },
  { name: 'unknown extension falls to tenant', tenant: policy({ tenant: 'on-demand', extensions: { '204': 'always' } }), call: { direction: 'inbound', extension: '999' }, mode: 'on-demand', source: 'tenant' },
];

describe('decideRecording', () => {
  for (const row of table) {
    it(row.name, () => {
      const d = decideRecording({ tenant: row.tenant, ...row.call });
      expect({ mode: d.mode, source: d.source }).toEqual({ mode: row.mode, source: row.source });
      expect(d.recordAtAnswer).toBe(row.mode === 'always');
      expect(d.mayStartOnDemand).toBe(row.mode !== 'never');
    });
  }

  it('round-trips through the store rows', () => {
    const p = policy({ tenant: 'on-demand', extensions: { '204': 'always' }, trunks: { mts: 'never' } });
    const rows = policyToRows(p);
    expect(rows).toEqual([
      { scope: 'tenant', target: '', mode: 'on-demand' },
      { scope: 'extension', target: '204', mode: 'always' },
      { scope: 'trunk', target: 'mts', mode: 'never' },
    ]);
    expect(policyFromRows(rows)).toEqual(p);
  });

  it('validates a policy from the API and names the field', () => {
    const r = tenantRecordingPolicySchema.safeParse({ tenant: 'sometimes', extensions: { '2x': 'always' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['tenant', 'extensions.2x']));
  });
});
