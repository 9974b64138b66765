// Measures the machine for checkSizing (impure, like collect-fingerprint.ts).
import path from 'node:path';
import si from 'systeminformation';
import type { MachineSize } from './sizing';

/** Cores, memory and free space on the file system holding `dataDir`. */
export async function collectMachineSize(dataDir: string): Promise<MachineSize> {
  const [cpu, mem, filesystems] = await Promise.all([si.cpu(), si.mem(), si.fsSize().catch(() => [])]);
  const target = path.resolve(dataDir);
  // The mount point that is the longest prefix of the data directory holds it.
  let best: { mount: string; available: number } | undefined;
  for (const fs of filesystems) {
    const inside = target === fs.mount || target.startsWith(fs.mount.endsWith('/') ? fs.mount : fs.mount + '/');
    if (inside && (best === undefined || fs.mount.length > best.mount.length)) best = { mount: fs.mount, available: fs.available };
  }
  return { cores: cpu.cores, ramBytes: mem.total, freeDiskBytes: best?.available ?? 0 };
}
