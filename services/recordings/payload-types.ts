// Which RTP payload types carry audio we can convert. Static types come from
// RFC 3551 §6 Table 4; dynamic ones (96–127) from the SDP's a=rtpmap lines
// (RFC 8866 §6.6) that rtpengine wrote into the metadata file, or from the
// caller. telephone-event (RFC 4733) and comfort noise (RFC 3389) are skipped:
// they carry no speech samples we could place.
import { codecNotSupported } from './errors';
import type { G711Law } from './g711';

export interface PayloadFormat {
  name: string;
  clockRate: number;
}

export const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, PayloadFormat> = new Map([
  [0, { name: 'PCMU', clockRate: 8000 }],
  [3, { name: 'GSM', clockRate: 8000 }],
  [4, { name: 'G723', clockRate: 8000 }],
  [5, { name: 'DVI4', clockRate: 8000 }],
  [6, { name: 'DVI4', clockRate: 16000 }],
  [7, { name: 'LPC', clockRate: 8000 }],
  [8, { name: 'PCMA', clockRate: 8000 }],
  [9, { name: 'G722', clockRate: 8000 }],
  [10, { name: 'L16', clockRate: 44100 }],
  [11, { name: 'L16', clockRate: 44100 }],
  [12, { name: 'QCELP', clockRate: 8000 }],
  [13, { name: 'CN', clockRate: 8000 }],
  [14, { name: 'MPA', clockRate: 90000 }],
  [15, { name: 'G728', clockRate: 8000 }],
  [18, { name: 'G729', clockRate: 8000 }],
]);

/** rtpengine's and most phones' choice when no SDP says otherwise. */
export const DEFAULT_DYNAMIC: ReadonlyMap<number, PayloadFormat> = new Map([
  [101, { name: 'telephone-event', clockRate: 8000 }],
]);

export type PayloadAction = { kind: 'g711'; law: G711Law } | { kind: 'skip'; name: string };

/** `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]` lines of one or more SDP bodies. */
export function payloadTypesFromSdp(sdp: string): Map<number, PayloadFormat> {
  const out = new Map<number, PayloadFormat>();
  for (const m of sdp.matchAll(/^a=rtpmap:(\d{1,3})\s+([^/\s]+)\/(\d+)/gm)) {
    out.set(Number(m[1]), { name: m[2] ?? '', clockRate: Number(m[3]) });
  }
  return out;
}

/** Resolves payload types once per type, then answers from a cache. */
export class PayloadTypeTable {
  private readonly cache = new Map<number, PayloadAction>();
  private readonly known: Map<number, PayloadFormat>;

  constructor(fromSdp: ReadonlyMap<number, PayloadFormat> = new Map()) {
    this.known = new Map([...DEFAULT_DYNAMIC, ...STATIC_PAYLOAD_TYPES, ...fromSdp]);
  }

  /** Throws `codec-not-supported` for anything but G.711, telephone-event and CN. */
  action(pt: number): PayloadAction {
    const hit = this.cache.get(pt);
    if (hit) return hit;
    const format = this.known.get(pt);
    const name = format?.name.toUpperCase() ?? '';
    let action: PayloadAction;
    if (name === 'PCMU' && format?.clockRate === 8000) action = { kind: 'g711', law: 'ulaw' };
    else if (name === 'PCMA' && format?.clockRate === 8000) action = { kind: 'g711', law: 'alaw' };
    else if (name === 'TELEPHONE-EVENT' || name === 'CN') action = { kind: 'skip', name };
    else throw codecNotSupported(format ? `${format.name}/${format.clockRate}` : 'unknown', pt);
    this.cache.set(pt, action);
    return action;
  }
}
