// X.509 name constraints (RFC 5280 §4.2.1.10) for the appliance CA: the CA
// may only vouch for this box's names and networks, so an admin who trusts
// ca.crt in a browser trusts nothing else even if ca.key is stolen. forge has
// no encoder for the extension, so it is written here as raw DER.
import forge from 'node-forge';
import { isIP } from 'node:net';

export interface Permitted {
  /** DNS names; each also permits its subdomains (RFC 5280). */
  dns: string[];
  /** Networks as `address/prefix`, IPv4 or IPv6. */
  nets: string[];
}

const NAME_CONSTRAINTS_OID = '2.5.29.30';
const { asn1 } = forge;

function ipBytes(address: string): number[] {
  if (isIP(address) === 4) return address.split('.').map(Number);
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.flatMap((g) => {
    const v = Number.parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
}

function maskBytes(prefix: number, length: number): number[] {
  return Array.from({ length }, (_, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return (0xff << (8 - bits)) & 0xff;
  });
}

/** `address/prefix` → the network's address bytes and mask bytes; throws on a malformed one. */
export function parseNet(net: string): { address: number[]; mask: number[] } {
  const [addr, p] = net.split('/');
  const family = isIP(addr ?? '');
  const prefix = Number(p);
  const max = family === 4 ? 32 : 128;
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new Error(`not a network: ${net}`);
  const mask = maskBytes(prefix, max / 8);
  const address = ipBytes(addr!).map((b, i) => b & mask[i]!);
  return { address, mask };
}

/** The extension as forge takes it: critical, so a client that cannot read it refuses the CA. */
export function nameConstraintsExtension(p: Permitted): { id: string; critical: true; value: string } {
  const subtree = (name: forge.asn1.Asn1) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [name]);
  const subtrees = [
    ...p.dns.map((d) => subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, d))),
    ...p.nets.map((n) => {
      const { address, mask } = parseNet(n);
      return subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, String.fromCharCode(...address, ...mask)));
    }),
  ];
  const value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, subtrees),
  ]);
  return { id: NAME_CONSTRAINTS_OID, critical: true, value: asn1.toDer(value).getBytes() };
}

/** What a CA certificate permits, or null when it has no name constraints. */
export function permittedBy(caPem: string): Permitted | null {
  const cert = forge.pki.certificateFromPem(caPem);
  const ext = cert.extensions.find((e: { id?: string }) => e.id === NAME_CONSTRAINTS_OID) as { value: string } | undefined;
  if (!ext) return null;
  const out: Permitted = { dns: [], nets: [] };
  const root = asn1.fromDer(ext.value);
  const permitted = (root.value as forge.asn1.Asn1[]).find((v) => v.tagClass === asn1.Class.CONTEXT_SPECIFIC && v.type === 0);
  for (const sub of (permitted?.value ?? []) as forge.asn1.Asn1[]) {
    const name = (sub.value as forge.asn1.Asn1[])[0]!;
    const bytes = name.value as string;
    if (name.type === 2) out.dns.push(bytes);
    if (name.type === 7) out.nets.push(netText(bytes));
  }
  return out;
}

function netText(bytes: string): string {
  const b = [...bytes].map((c) => c.charCodeAt(0));
  const half = b.length / 2;
  const prefix = b.slice(half).reduce((n, m) => n + m.toString(2).replace(/0/g, '').length, 0);
  const addr = b.slice(0, half);
  const text =
    half === 4
      ? addr.join('.')
      : // The WHATWG URL parser writes IPv6 in its compressed form (RFC 5952).
        new URL(`http://[${Array.from({ length: 8 }, (_, i) => ((addr[2 * i]! << 8) | addr[2 * i + 1]!).toString(16)).join(':')}]`).hostname.slice(1, -1);
  return `${text}/${prefix}`;
}

function inNet(ip: string, net: string): boolean {
  const { address, mask } = parseNet(net);
  const family = isIP(ip);
  if ((family === 4 ? 4 : 16) !== address.length || !family) return false;
  return ipBytes(ip).every((b, i) => (b & mask[i]!) === address[i]);
}

function inDns(name: string, base: string): boolean {
  const n = name.toLowerCase();
  const b = base.toLowerCase();
  return n === b || n.endsWith(`.${b}`);
}

/** The names a CA with these constraints could not vouch for (empty: all covered). */
export function outside(p: Permitted, names: { dns: string[]; ips: string[] }): string[] {
  return [
    ...names.dns.filter((d) => !p.dns.some((b) => inDns(d, b))),
    ...names.ips.filter((ip) => !p.nets.some((n) => inNet(ip, n))),
  ];
}
