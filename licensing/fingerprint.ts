// The machine's hardware fingerprint: several independent components, each
// hashed on its own so a licence or request file reveals no serial number,
// and matched k-of-n so replacing one NIC or disk does not stop a bank.
import { createHash } from 'node:crypto';

export const COMPONENT_KINDS = ['system-uuid', 'system-serial', 'baseboard-serial', 'disk-serial', 'nic-mac', 'cpu'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

export interface FingerprintComponent {
  kind: ComponentKind;
  /** SHA-256 (hex) of the product salt, the kind and the normalised value. */
  hash: string;
}

/**
 * Components that identify this machine rather than its model or its copied
 * disks. A cloned VM keeps the CPU model and often its virtual disk serials
 * but gets a new UUID and new MACs; a second server of the same model has
 * the same CPU. A match therefore needs at least one of these.
 */
export const IDENTITY_KINDS: readonly ComponentKind[] = ['system-uuid', 'system-serial', 'baseboard-serial', 'nic-mac'];

// Public on purpose: the salt keeps raw serials out of the files and makes
// the hashes useless outside Korobka; it is not a secret.
const PRODUCT_SALT = 'korobka-fingerprint-v1';

export function hashComponent(kind: ComponentKind, value: string): string {
  return createHash('sha256').update(`${PRODUCT_SALT}\0${kind}\0${value}`).digest('hex');
}

// Values firmware and hypervisors put where a serial should be.
const PLACEHOLDERS = new Set([
  '-', 'none', 'n/a', 'na', 'null', 'unknown', 'default', 'default string', 'not specified', 'not available',
  'not applicable', 'to be filled by o.e.m.', 'to be filled by oem', 'system serial number', 'chassis serial number',
  'base board serial number', 'serial number', 'system product name', '0123456789', '123456789', '1234567890',
  'invalid', 'empty', 'unspecified', 'oem', 'xxxxxxxxxx',
]);
// A UUID many boards ship with instead of a real one.
const BOGUS_UUIDS = new Set(['03000200-0400-0500-0006-000700080009']);

/** A usable serial, upper-cased and trimmed, or undefined when absent or a placeholder. */
export function normaliseSerial(raw: string | undefined | null): string | undefined {
  const s = (raw ?? '').trim();
  if (s.length < 3) return undefined;
  if (PLACEHOLDERS.has(s.toLowerCase())) return undefined;
  if (/^(.)\1*$/.test(s.replace(/[-:. ]/g, ''))) return undefined; // 0000…, FFFF…, ----
  if (/^QM\d{5}$/i.test(s)) return undefined; // QEMU's default disk serial, the same in every guest
  return s.toUpperCase();
}

export function normaliseUuid(raw: string | undefined | null): string | undefined {
  const s = (raw ?? '').trim().toLowerCase();
  if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/.test(s)) return undefined;
  if (BOGUS_UUIDS.has(s) || /^(.)\1*$/.test(s.replace(/-/g, ''))) return undefined;
  return s.replace(/-/g, '');
}

/** A unicast, non-zero MAC, lower-case, or undefined. */
export function normaliseMac(raw: string | undefined | null): string | undefined {
  const s = (raw ?? '').trim().toLowerCase().replace(/-/g, ':');
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(s)) return undefined;
  if ((parseInt(s.slice(0, 2), 16) & 0x01) !== 0) return undefined; // multicast: not an interface's own
  if (s === '00:00:00:00:00:00') return undefined;
  return s;
}

function isLocallyAdministered(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x02) !== 0;
}

// Interface names of software devices; their MACs are not the machine's.
const VIRTUAL_NIC_NAME =
  /^(lo|docker|veth|br-|bridge|virbr|vnet|vmnet|vboxnet|tun|tap|wg|cni|flannel|cali|cilium|weave|kube|lxc|lxd|podman|zt|tailscale|vxlan|genev|dummy|bond|team|ip6tnl|sit|gre|ifb|nlmon|vrf|macvlan|macvtap|ovs|ppp|utun|awdl|llw|anpi|ap\d)/i;

export interface NicFacts {
  iface: string;
  mac: string;
  internal?: boolean;
  virtual?: boolean;
  type?: string;
  /** Linux /sys/class/net/IF/addr_assign_type: 0 permanent, 1 random, 2 stolen, 3 set by software. */
  addrAssignType?: number;
  /** Linux: /sys/class/net/IF/device exists, i.e. a bus device (PCI, virtio) backs the interface. */
  hasDevice?: boolean;
}

/**
 * A NIC backed by hardware (or a hypervisor's virtual hardware) with the
 * address it came with. Bridges, veths, bonds, tunnels and containers'
 * interfaces are left out: their MACs are made up by software and change.
 * A locally administered MAC counts only when Linux says it is the device's
 * permanent one (QEMU/KVM's 52:54:00:…, OpenStack's fa:16:3e:… are such).
 */
export function isPhysicalNic(n: NicFacts): boolean {
  if (n.internal === true || n.virtual === true || n.type === 'virtual') return false;
  if (VIRTUAL_NIC_NAME.test(n.iface)) return false;
  if (n.iface.includes('.') || n.iface.includes('@')) return false; // VLAN sub-interfaces share the parent's MAC
  if (n.hasDevice === false) return false;
  if (n.addrAssignType !== undefined && n.addrAssignType !== 0) return false;
  const mac = normaliseMac(n.mac);
  if (mac === undefined) return false;
  return !isLocallyAdministered(mac) || (n.addrAssignType === 0 && n.hasDevice === true);
}

/** What the collector read, before hashing; tests build these directly. */
export interface MachineFacts {
  systemUuid?: string;
  systemSerial?: string;
  baseboardSerial?: string;
  diskSerials?: string[];
  nics?: NicFacts[];
  cpu?: { manufacturer?: string; brand?: string; family?: string; model?: string };
}

/** Hashes the usable facts into components; absent and placeholder values leave no component. */
export function fingerprintFromFacts(facts: MachineFacts): FingerprintComponent[] {
  const out: FingerprintComponent[] = [];
  const add = (kind: ComponentKind, value: string | undefined) => {
    if (value === undefined) return;
    const hash = hashComponent(kind, value);
    if (!out.some((c) => c.kind === kind && c.hash === hash)) out.push({ kind, hash });
  };
  add('system-uuid', normaliseUuid(facts.systemUuid));
  add('system-serial', normaliseSerial(facts.systemSerial));
  add('baseboard-serial', normaliseSerial(facts.baseboardSerial));
  for (const d of facts.diskSerials ?? []) add('disk-serial', normaliseSerial(d));
  for (const n of facts.nics ?? []) if (isPhysicalNic(n)) add('nic-mac', normaliseMac(n.mac));
  const cpu = facts.cpu;
  if (cpu && (cpu.brand ?? '').trim() !== '') {
    add('cpu', [cpu.manufacturer, cpu.brand, cpu.family, cpu.model].map((s) => (s ?? '').trim()).join('|'));
  }
  return out;
}

export interface FingerprintMatch {
  ok: boolean;
  matched: number;
  required: number;
  total: number;
  /** Kinds of licensed components not found on this machine (no hashes: they mean nothing to a reader). */
  missing: ComponentKind[];
  identityMatched: boolean;
}

/**
 * Accepts when at least k of the n licensed components are present on this
 * machine and at least one of the matches is an identity component
 * (IDENTITY_KINDS). Components absent on either side never count.
 */
export function matchFingerprint(licensed: readonly FingerprintComponent[], current: readonly FingerprintComponent[], k: number): FingerprintMatch {
  const have = new Set(current.map((c) => `${c.kind}:${c.hash}`));
  let matched = 0;
  let identityMatched = false;
  const missing: ComponentKind[] = [];
  const seen = new Set<string>();
  for (const c of licensed) {
    const key = `${c.kind}:${c.hash}`;
    if (seen.has(key)) continue; // a duplicated component must not count twice
    seen.add(key);
    if (have.has(key)) {
      matched++;
      if (IDENTITY_KINDS.includes(c.kind)) identityMatched = true;
    } else {
      missing.push(c.kind);
    }
  }
  const required = Math.max(1, Math.floor(k));
  return { ok: matched >= required && identityMatched, matched, required, total: seen.size, missing, identityMatched };
}

/** The k a licence gets unless the vendor says otherwise: half the components, at least 2, at most n. */
export function defaultK(n: number): number {
  return Math.min(n, Math.max(2, Math.ceil(n / 2)));
}

/** Why a fingerprint cannot bind a licence, or undefined when it can. */
export function fingerprintWeakness(components: readonly FingerprintComponent[]): string | undefined {
  const identity = components.filter((c) => IDENTITY_KINDS.includes(c.kind)).length;
  if (components.length < 2 || identity < 1) {
    return (
      `only ${components.length} usable component(s) (${components.map((c) => c.kind).join(', ') || 'none'}), ` +
      'need at least 2 including a system UUID, a serial number or a physical NIC; ' +
      'run `korobka license request` as root on the target machine (not inside a container)'
    );
  }
  return undefined;
}
