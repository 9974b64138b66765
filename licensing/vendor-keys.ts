// Public keys of the vendor's licence-signing keys, embedded in every build.
// Only public halves live here; a licence names the key that signed it
// (keyId), so a new key can be added before the old one is retired.
//
// Adding a key (key rotation): on the vendor's offline signing workstation run
//   korobka-license keygen --out /media/signing/2027
// and paste the entry it prints into this list. Keep the old entry until
// every licence it signed has expired; remove it at once if it leaked.
//
// Where the private key lives: never in this repository, a CI secret or a
// developer's laptop. It stays on an offline signing workstation (no
// network), on an encrypted volume, with a second copy on encrypted media in
// the vendor's safe. Tests generate a throw-away key per run and pass it to
// evaluateLicence() directly.
import type { VendorPublicKey } from './keys';

export const VENDOR_KEYS: readonly VendorPublicKey[] = Object.freeze([]);
