// Which leg of a live call is which, for transfers: a call's two dialogs sit
// in the slots `uas` (the caller's side) and `uac` (the callee's side), and
// a transfer target takes the transferor's slot (live-calls.ts).
import type { LiveCall } from './live-calls';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for dialogs
type Loose = any;

export type Slot = 'uas' | 'uac';

export const other = (s: Slot): Slot => (s === 'uas' ? 'uac' : 'uas');
export const sideOf = (s: Slot): 'caller' | 'callee' => (s === 'uas' ? 'caller' : 'callee');
export const mediaSide = (s: Slot): 'A' | 'B' => (s === 'uas' ? 'A' : 'B');
export const numberOf = (call: LiveCall, s: Slot): string => (s === 'uas' ? call.caller : call.callee);
export const slotOf = (call: LiveCall, d: Loose): Slot | undefined => (call.uas === d ? 'uas' : call.uac === d ? 'uac' : undefined);
/** Where the phone's SIP came from (its SDP may name a private address, media/ng-params.ts). */
export const sourceOf = (d: Loose): { sipSourceAddress?: string } => {
  const a: unknown = d.type === 'uas' ? d.req?.source_address : d.res?.source_address;
  return typeof a === 'string' && a !== '' ? { sipSourceAddress: a } : {};
};
export const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
