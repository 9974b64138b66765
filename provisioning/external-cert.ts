// A server certificate from the bank's own CA: the box makes a key and a
// certificate request (CSR) for its names, the bank's CA signs it, and the
// signed certificate is installed after checks, replacing the appliance's
// own. The request key never leaves tls/; ca.crt becomes the bank's CA, and
// the appliance CA key, no longer needed, is deleted.
import forge from 'node-forge';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { altNames, checkPair, keyPair, tlsFiles, writePublic, writeSecret } from './tls';

const requestFiles = (dataDir: string) => {
  const dir = path.dirname(tlsFiles(dataDir).cert);
  return { key: path.join(dir, 'request.key'), csr: path.join(dir, 'request.csr') };
};

/** Makes request.key and request.csr for these names; a new request replaces an older one. */
export function makeRequest(dataDir: string, names: { dns: string[]; ips: string[] }): { csr: string; file: string } {
  const keys = keyPair(2048);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: names.dns[0] ?? 'korobka' }]);
  csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: altNames(names) }] }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  const pem = forge.pki.certificationRequestToPem(csr);
  const f = requestFiles(dataDir);
  writeSecret(f.key, forge.pki.privateKeyToPem(keys.privateKey));
  writePublic(f.csr, pem);
  return { csr: pem, file: f.csr };
}

export class CertificateRefused extends Error {}

const pemBlocks = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/**
 * Installs the signed certificate (PEM: the server's first, then any
 * intermediates) for the pending request, after checking that it is the
 * request's, valid now, a server certificate, and chains to `caPem` (the
 * CA phones and browsers trust; it becomes ca.crt). Throws CertificateRefused with the reason and changes nothing.
 */
export function installExternal(dataDir: string, chainPem: string, caPem: string, now = new Date()): { notAfter: string; subject: string } {
  const f = requestFiles(dataDir);
  if (!existsSync(f.key)) throw new CertificateRefused('no pending request: run `korobka tls csr` first');
  const blocks = pemBlocks(chainPem);
  if (blocks.length === 0) throw new CertificateRefused('no PEM certificate in the file');
  const key = readFileSync(f.key, 'utf8');
  let leaf: X509Certificate;
  try {
    leaf = checkPair({ cert: blocks[0]!, key });
  } catch (e) {
    throw new CertificateRefused(`the first certificate is not for the pending request: ${(e as Error).message}`);
  }
  if (new Date(leaf.validFrom) > now || new Date(leaf.validTo) <= now) throw new CertificateRefused(`not valid now (${leaf.validFrom} – ${leaf.validTo})`);
  if (leaf.ca) throw new CertificateRefused('the first certificate is a CA certificate, not the server certificate');
  if (leaf.keyUsage && !leaf.keyUsage.includes('1.3.6.1.5.5.7.3.1')) throw new CertificateRefused('the certificate is not for TLS servers (extended key usage lacks serverAuth)');
  const chain = [leaf, ...blocks.slice(1).map((b) => new X509Certificate(b))];
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) {
      throw new CertificateRefused(`certificate ${i + 1} of the file is not signed by certificate ${i + 2}`);
    }
  }
  {
    const root = pemBlocks(caPem)[0];
    if (!root) throw new CertificateRefused('no PEM certificate in the CA file');
    const ca = new X509Certificate(root);
    const top = chain[chain.length - 1]!;
    const selfIsCa = top.fingerprint256 === ca.fingerprint256;
    if (!selfIsCa && !(top.checkIssued(ca) && top.verify(ca.publicKey))) throw new CertificateRefused(`the chain does not lead to the CA "${ca.subject.replace(/\n/g, ', ')}"`);
  }
  const files = tlsFiles(dataDir);
  writeSecret(files.key, key);
  writePublic(files.cert, blocks.join('\n') + '\n');
  writePublic(files.caCert, pemBlocks(caPem)[0]! + '\n');
  writePublic(files.issuer, 'external\n');
  rmSync(files.caKey, { force: true });
  rmSync(f.key, { force: true });
  rmSync(f.csr, { force: true });
  return { notAfter: new Date(leaf.validTo).toISOString(), subject: leaf.subject };
}
