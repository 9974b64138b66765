// The one impure part of licensing: reading the hardware through
// systeminformation. Everything else takes a fingerprint as an argument, so
// tests feed fingerprints directly.
import { existsSync, readFileSync } from 'node:fs';
import si from 'systeminformation';
import { fingerprintFromFacts, type FingerprintComponent, type MachineFacts, type NicFacts } from './fingerprint';

// A probe that hangs (dmidecode on odd firmware, a stuck disk) must not hang
// `korobka license request` or start-up: it just yields no component.
const PROBE_TIMEOUT_MS = 15_000;

async function probe<T>(read: () => Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([read().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Linux tells whether an interface's MAC is its permanent one and whether a device backs it. */
function sysfsNicFacts(iface: string): Pick<NicFacts, 'addrAssignType' | 'hasDevice'> {
  if (process.platform !== 'linux' || !/^[\w.:@-]+$/.test(iface)) return {};
  const dir = `/sys/class/net/${iface}`;
  try {
    const assign = Number.parseInt(readFileSync(`${dir}/addr_assign_type`, 'utf8').trim(), 10);
    return { hasDevice: existsSync(`${dir}/device`), ...(Number.isNaN(assign) ? {} : { addrAssignType: assign }) };
  } catch {
    return {};
  }
}

/**
 * Reads what the fingerprint is made of. DMI serials and the system UUID are
 * readable only by root on Linux, so request and verification must run with
 * the same privileges (the appliance collects as root at start-up).
 */
export async function collectMachineFacts(timeoutMs = PROBE_TIMEOUT_MS): Promise<MachineFacts> {
  const [system, baseboard, disks, nics, cpu] = await Promise.all([
    probe(() => si.system(), timeoutMs),
    probe(() => si.baseboard(), timeoutMs),
    probe(() => si.diskLayout(), timeoutMs),
    probe(() => si.networkInterfaces(), timeoutMs),
    probe(() => si.cpu(), timeoutMs),
  ]);
  const nicList = nics === undefined ? [] : Array.isArray(nics) ? nics : [nics];
  return {
    systemUuid: system?.uuid,
    systemSerial: system?.serial,
    baseboardSerial: baseboard?.serial,
    // Removable USB disks come and go; they are not the machine.
    diskSerials: (disks ?? []).filter((d) => !/usb/i.test(d.interfaceType ?? '')).map((d) => d.serialNum),
    nics: nicList.map((n) => ({ iface: n.iface, mac: n.mac, internal: n.internal, virtual: n.virtual, type: n.type, ...sysfsNicFacts(n.iface) })),
    cpu: cpu ? { manufacturer: cpu.manufacturer, brand: cpu.brand, family: cpu.family, model: cpu.model } : undefined,
  };
}

/** This machine's fingerprint components (never throws; absent hardware gives fewer components). */
export async function collectFingerprint(timeoutMs = PROBE_TIMEOUT_MS): Promise<FingerprintComponent[]> {
  return fingerprintFromFacts(await collectMachineFacts(timeoutMs));
}
