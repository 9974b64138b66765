// Machines, keys and licences for the licensing tests. Every run generates
// its own vendor key: no private key is ever committed.
import { fingerprintFromFacts, type MachineFacts } from '../../licensing/fingerprint';
import { issueLicence, type IssueInput } from '../../licensing/issue';
import { generateVendorKeyPair, vendorPublicKey, type VendorKeyPair, type VendorPublicKey } from '../../licensing/keys';
import { signLicence } from '../../licensing/licence';
import type { Licence } from '../../licensing/licence-schema';
import { buildActivationRequest } from '../../licensing/request';

/** A rack server: DMI serials, two disks, two onboard NICs plus a docker bridge and a veth that must be ignored. */
export const SERVER: MachineFacts = {
  systemUuid: '4c4c4544-0052-3410-8039-b4c04f4b3332',
  systemSerial: 'CZ2R4Z02',
  baseboardSerial: '.9R49Z02.CN7016343P0123.',
  diskSerials: ['S6B0NL0T123456', 'WD-WCC4N7XYZ123'],
  nics: [
    { iface: 'lo', mac: '00:00:00:00:00:00', internal: true },
    { iface: 'eno1', mac: 'b0:26:28:aa:bb:01', type: 'wired', addrAssignType: 0, hasDevice: true },
    { iface: 'eno2', mac: 'b0:26:28:aa:bb:02', type: 'wired', addrAssignType: 0, hasDevice: true },
    { iface: 'docker0', mac: '02:42:ac:11:00:01', type: 'wired', addrAssignType: 3, hasDevice: false },
    { iface: 'veth1a2b3c', mac: '6a:1f:00:aa:00:01', type: 'wired', addrAssignType: 1, hasDevice: false },
  ],
  cpu: { manufacturer: 'Intel', brand: 'Xeon® Silver 4314', family: '6', model: '106' },
};

/** A KVM guest: a UUID, no DMI serials, a virtio disk and NIC (QEMU's locally administered 52:54:00 MAC, permanent for the device). */
export const VM: MachineFacts = {
  systemUuid: '8f14e45f-ceea-467f-a0e6-7d2b1c3e9a10',
  systemSerial: '',
  baseboardSerial: 'Not Specified',
  diskSerials: ['QM00001-CLONED'],
  nics: [{ iface: 'ens3', mac: '52:54:00:12:34:56', type: 'wired', addrAssignType: 0, hasDevice: true }],
  cpu: { manufacturer: 'Intel', brand: 'Xeon® Processor', family: '6', model: '167' },
};

export const DAY = 86_400_000;
export const NOW = new Date('2026-11-22T10:00:00Z');

export interface World {
  vendor: VendorKeyPair;
  keys: VendorPublicKey[];
}

export function newWorld(): World {
  const vendor = generateVendorKeyPair();
  return { vendor, keys: [vendorPublicKey(vendor.publicKey)] };
}

export function requestFor(facts: MachineFacts, now = NOW) {
  return buildActivationRequest({ fingerprint: fingerprintFromFacts(facts), installationId: 'inst-0001', productVersion: '0.1.0', now });
}

/** A licence issued through the vendor path; throws if issuing fails (a test bug). */
export function issued(world: World, facts: MachineFacts, over: Partial<IssueInput> = {}): { text: string; licence: Licence } {
  const r = issueLicence({
    request: requestFor(facts),
    profile: 'S',
    customer: 'Bank Primer',
    expires: '2027-12-31',
    licenceId: 'KB-TEST-0001',
    seed: world.vendor.seed,
    now: NOW,
    ...over,
  });
  if (!r.ok) throw new Error(`test licence not issued: ${r.problems.join('; ')}`);
  return { text: r.text, licence: r.licence };
}

/** Signs an arbitrary (schema-valid) variation of a licence, for cases the vendor tool refuses to make. */
export function resigned(world: World, base: Licence, change: Partial<Licence>): string {
  return signLicence({ ...base, ...change }, world.vendor.seed);
}
