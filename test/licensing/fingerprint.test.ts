import { describe, expect, it } from 'vitest';
import {
  defaultK,
  fingerprintFromFacts,
  fingerprintWeakness,
  isPhysicalNic,
  matchFingerprint,
  normaliseSerial,
  normaliseUuid,
  type MachineFacts,
} from '../../licensing/fingerprint';
import { collectFingerprint, collectMachineFacts } from '../../licensing/collect-fingerprint';
import { SERVER, VM } from './fixtures';

const kinds = (f: MachineFacts) => fingerprintFromFacts(f).map((c) => c.kind);

describe('fingerprintFromFacts', () => {
  it('hashes each usable component and skips software NICs', () => {
    expect(kinds(SERVER)).toEqual(['system-uuid', 'system-serial', 'baseboard-serial', 'disk-serial', 'disk-serial', 'nic-mac', 'nic-mac', 'cpu']);
    expect(kinds(VM)).toEqual(['system-uuid', 'disk-serial', 'nic-mac', 'cpu']);
  });

  it('reveals no serial or MAC in the hashes', () => {
    const json = JSON.stringify(fingerprintFromFacts(SERVER));
    for (const secret of ['CZ2R4Z02', 'cz2r4z02', 'b0:26:28', '4c4c4544', 'S6B0NL0T123456']) expect(json).not.toContain(secret);
    for (const c of fingerprintFromFacts(SERVER)) expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable across case and spacing of the same values', () => {
    const shouty: MachineFacts = { ...SERVER, systemUuid: SERVER.systemUuid?.toUpperCase(), systemSerial: ` ${SERVER.systemSerial?.toLowerCase()} ` };
    expect(fingerprintFromFacts(shouty)).toEqual(fingerprintFromFacts(SERVER));
  });

  it('leaves no component for absent or placeholder values (containers, VMs)', () => {
    const empty: MachineFacts = {
      systemUuid: '',
      systemSerial: '-',
      baseboardSerial: 'To be filled by O.E.M.',
      diskSerials: ['', '0000000000', 'Default string'],
      nics: [{ iface: 'lo', mac: '00:00:00:00:00:00', internal: true }],
      cpu: { brand: '' },
    };
    expect(fingerprintFromFacts(empty)).toEqual([]);
    expect(fingerprintFromFacts({})).toEqual([]);
  });

  it('rejects placeholder serials and UUIDs', () => {
    for (const s of ['', '-', 'None', 'Not Specified', 'System Serial Number', '00000000', 'FFFFFFFF', 'ab', 'QM00001']) expect(normaliseSerial(s)).toBeUndefined();
    expect(normaliseSerial(' abc123 ')).toBe('ABC123');
    for (const u of ['', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '03000200-0400-0500-0006-000700080009']) {
      expect(normaliseUuid(u)).toBeUndefined();
    }
  });
});

describe('isPhysicalNic', () => {
  const nic = { iface: 'ens3', mac: 'b0:26:28:aa:bb:01', addrAssignType: 0, hasDevice: true };
  it.each([
    ['loopback', { iface: 'lo', mac: '00:00:00:00:00:00', internal: true }],
    ['docker bridge', { ...nic, iface: 'docker0' }],
    ['veth', { ...nic, iface: 'veth9f3e' }],
    ['bond', { ...nic, iface: 'bond0' }],
    ['VLAN sub-interface', { ...nic, iface: 'ens3.100' }],
    ['interface without a device', { ...nic, hasDevice: false }],
    ['randomised MAC', { ...nic, addrAssignType: 1 }],
    ['MAC set by software', { ...nic, addrAssignType: 3 }],
    ['locally administered MAC of unknown origin', { iface: 'eth0', mac: '02:42:ac:11:00:02' }],
    ['multicast MAC', { ...nic, mac: '01:00:5e:00:00:01' }],
    ['flagged virtual', { ...nic, virtual: true }],
  ])('leaves out a %s', (_name, n) => {
    expect(isPhysicalNic(n)).toBe(false);
  });

  it('keeps a burned-in NIC and a hypervisor NIC whose locally administered MAC is permanent', () => {
    expect(isPhysicalNic(nic)).toBe(true);
    expect(isPhysicalNic({ iface: 'eno1', mac: 'b0:26:28:aa:bb:01' })).toBe(true); // no sysfs (not Linux): universal MAC is enough
    expect(isPhysicalNic({ ...nic, mac: '52:54:00:12:34:56' })).toBe(true);
  });
});

describe('matchFingerprint (k of n)', () => {
  const licensed = fingerprintFromFacts(SERVER);

  it('accepts the same machine', () => {
    const m = matchFingerprint(licensed, fingerprintFromFacts(SERVER), 4);
    expect(m).toMatchObject({ ok: true, matched: 8, total: 8, missing: [] });
  });

  it('accepts a replaced NIC, a replaced disk, or both', () => {
    const newNic = { ...SERVER, nics: [SERVER.nics![1]!, { iface: 'eno2', mac: 'b0:26:28:aa:bb:99', addrAssignType: 0, hasDevice: true }] };
    expect(matchFingerprint(licensed, fingerprintFromFacts(newNic), 4)).toMatchObject({ ok: true, matched: 7, missing: ['nic-mac'] });
    const both = { ...newNic, diskSerials: ['S6B0NL0T123456', 'NEWDISK0001'] };
    expect(matchFingerprint(licensed, fingerprintFromFacts(both), 4)).toMatchObject({ ok: true, matched: 6 });
  });

  it('accepts one changed component of a VM at the default k', () => {
    const vm = fingerprintFromFacts(VM);
    const k = defaultK(vm.length);
    expect(k).toBe(2);
    const newDisk = fingerprintFromFacts({ ...VM, diskSerials: ['QM00002'] });
    expect(matchFingerprint(vm, newDisk, k)).toMatchObject({ ok: true, matched: 3, missing: ['disk-serial'] });
  });

  it('rejects a VM clone: new UUID and MACs, same CPU model and copied disk serial', () => {
    const vm = fingerprintFromFacts(VM);
    const clone = fingerprintFromFacts({ ...VM, systemUuid: '0d8f3a2e-1111-4a2b-9c3d-5e6f7a8b9c0d', nics: [{ iface: 'ens3', mac: '52:54:00:ab:cd:ef', addrAssignType: 0, hasDevice: true }] });
    const m = matchFingerprint(vm, clone, 2);
    expect(m.matched).toBe(2); // cpu + cloned disk serial: enough by count…
    expect(m.identityMatched).toBe(false);
    expect(m.ok).toBe(false); // …but nothing that identifies the machine itself matched
    expect(matchFingerprint(vm, clone, 1).ok).toBe(false);
  });

  it('rejects another server of the same model, and this server after a mainboard swap', () => {
    const siblingFacts: MachineFacts = {
      ...SERVER,
      systemUuid: '4c4c4544-0052-3410-8039-b4c04f4b9999',
      systemSerial: 'CZ2R4Z99',
      baseboardSerial: '.9R49Z99.CN7016343P0999.',
      diskSerials: ['S6B0NL0T999999', 'WD-WCC4N7XYZ999'],
      nics: [{ iface: 'eno1', mac: 'b0:26:28:cc:dd:01' }],
    };
    const sibling = fingerprintFromFacts(siblingFacts);
    expect(matchFingerprint(licensed, sibling, 4)).toMatchObject({ ok: false, matched: 1, missing: ['system-uuid', 'system-serial', 'baseboard-serial', 'disk-serial', 'disk-serial', 'nic-mac', 'nic-mac'] });
    // New mainboard: UUID, serials and onboard NICs change; disks and CPU move over.
    const swapped = fingerprintFromFacts({ ...siblingFacts, diskSerials: SERVER.diskSerials });
    expect(matchFingerprint(licensed, swapped, 4)).toMatchObject({ ok: false, matched: 3, identityMatched: false });
  });

  it('never counts components absent on this machine, nor a duplicated licensed component twice', () => {
    expect(matchFingerprint(licensed, [], 1)).toMatchObject({ ok: false, matched: 0 });
    const uuid = licensed[0]!;
    expect(matchFingerprint([uuid, uuid, uuid], [uuid], 2)).toMatchObject({ ok: false, matched: 1, total: 1 });
  });
});

describe('fingerprintWeakness', () => {
  it('refuses fingerprints that cannot tell machines apart', () => {
    expect(fingerprintWeakness(fingerprintFromFacts({ cpu: VM.cpu }))).toMatch(/^only 1 usable component\(s\) \(cpu\), need at least 2/);
    expect(fingerprintWeakness(fingerprintFromFacts({ cpu: VM.cpu, diskSerials: ['X123'] }))).toMatch(/^only 2 usable component\(s\) \(disk-serial, cpu\)/);
    expect(fingerprintWeakness(fingerprintFromFacts(VM))).toBeUndefined();
  });
});

describe('collectFingerprint on this machine', () => {
  it('returns hashed components without throwing, even in a container', async () => {
    const facts = await collectMachineFacts();
    const fp = await collectFingerprint();
    expect(fp.length).toBeGreaterThan(0);
    expect(fp).toEqual(fingerprintFromFacts(facts));
    for (const c of fp) expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(fp.some((c) => c.kind === 'cpu')).toBe(true);
    // Collected twice, the same machine gives the same fingerprint.
    expect(await collectFingerprint()).toEqual(fp);
  });
});
