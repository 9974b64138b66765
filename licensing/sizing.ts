// Does this machine fit the profile? Used by the installer and `korobka
// doctor`. Pure: the caller measures the machine (collectMachineSize) and
// passes the numbers. Suggestions are advice: below them is a warning, not
// a refusal, except where the box cannot work at all.
import { formatDiskGB, formatRamGB } from './format';
import type { Profile } from './profiles';

export interface MachineSize {
  cores: number;
  ramBytes: number;
  /** Free space on the file system that holds the data directory. */
  freeDiskBytes: number;
}

export interface SizingOptions {
  /** Recording retention in years (0: recording off). Default 1. */
  retentionYears?: number;
  /** Storage format of recordings. Default g711 (the larger). */
  codec?: 'g711' | 'opus';
}

export type SizingItem = 'cpu' | 'ram' | 'disk';
export interface SizingVerdict {
  item: SizingItem;
  level: 'ok' | 'warn' | 'fail';
  message: string;
}

/** Database, logs, backups and the software itself, before any recording. */
export const BASE_DISK_BYTES = 20e9;
/** Below this the box cannot run at all, whatever the profile. */
export const MINIMUM_RAM_BYTES = 1 * 2 ** 30;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function cpuVerdict(p: Profile, cores: number): SizingVerdict {
  const want = p.suggested.cpuCores;
  if (cores >= want) return { item: 'cpu', level: 'ok', message: `CPU ${plural(cores, 'core', 'cores')} meets the ${want} suggested for profile ${p.name}` };
  return { item: 'cpu', level: 'warn', message: `CPU ${plural(cores, 'core', 'cores')} is below the ${want} cores suggested for profile ${p.name}` };
}

function ramVerdict(p: Profile, ramBytes: number): SizingVerdict {
  const want = p.suggested.ramGiB * 2 ** 30;
  const have = formatRamGB(ramBytes);
  if (ramBytes < MINIMUM_RAM_BYTES) return { item: 'ram', level: 'fail', message: `RAM ${have} is below the 1 GB Korobka needs to run at all` };
  if (ramBytes >= want) return { item: 'ram', level: 'ok', message: `RAM ${have} meets the ${p.suggested.ramGiB} GB suggested for profile ${p.name}` };
  return { item: 'ram', level: 'warn', message: `RAM ${have} is below the ${p.suggested.ramGiB} GB suggested for profile ${p.name}` };
}

function diskVerdict(p: Profile, freeBytes: number, opts: SizingOptions): SizingVerdict {
  const years = opts.retentionYears ?? 1;
  const codec = opts.codec ?? 'g711';
  const perYear = codec === 'g711' ? p.derived.recordingBytesPerYear.g711Stereo : p.derived.recordingBytesPerYear.opusStereo;
  const need = BASE_DISK_BYTES + perYear * years;
  const have = formatDiskGB(freeBytes);
  const what =
    years > 0
      ? `${formatDiskGB(need)} needed for profile ${p.name} (system ${formatDiskGB(BASE_DISK_BYTES)} + ${years} year(s) of ${codec === 'g711' ? 'G.711' : 'Opus'} recordings)`
      : `${formatDiskGB(need)} needed for the system with recording off`;
  if (freeBytes < BASE_DISK_BYTES) return { item: 'disk', level: 'fail', message: `Free disk ${have} is below the ${formatDiskGB(BASE_DISK_BYTES)} the system needs` };
  if (freeBytes >= need) return { item: 'disk', level: 'ok', message: `Free disk ${have} covers the ${what}` };
  return { item: 'disk', level: 'warn', message: `Free disk ${have} is below the ${what}` };
}

/** One verdict per item, in the order cpu, ram, disk. */
export function checkSizing(profile: Profile, machine: MachineSize, opts: SizingOptions = {}): SizingVerdict[] {
  return [cpuVerdict(profile, machine.cores), ramVerdict(profile, machine.ramBytes), diskVerdict(profile, machine.freeDiskBytes, opts)];
}
