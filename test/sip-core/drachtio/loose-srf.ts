// drachtio-srf's bundled typings cover only part of its API (no srf.options(),
// no 4-argument `connect` event, no createUAS/createB2BUA option shapes), so
// tests drive it through this loose view.
import Srf from 'drachtio-srf';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the untyped parts of drachtio-srf's API
export type Loose = any;

export function newSrf(): Loose {
  return new Srf() as Loose;
}
