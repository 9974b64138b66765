// Certificates for SIP over TLS, read once at start from config.sip.tls
// (default: the data directory's tls/server.crt and server.key, the pair
// HTTPS uses, issued by the appliance CA or the bank's own CA). A missing or
// unreadable file is a start-up error naming the field, not a silent
// listener without TLS.
import { existsSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Config } from '../common/config';
import { TLS_POLICY } from '../common/tls-policy';
import { tlsFiles } from '../../provisioning/tls';
import type { TlsSettings } from './sip/transport/tcp-connections';

export class SipTlsConfigError extends Error {
  override readonly name = 'SipTlsConfigError';
}

function read(field: string, file: string): Buffer {
  if (!existsSync(file)) throw new SipTlsConfigError(`sip.tls.${field}: ${file} does not exist (korobka init or korobka tls makes it)`);
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SipTlsConfigError(`sip.tls.${field}: ${file} can not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** undefined when no listener is tls: a box without TLS needs no certificate. */
export function sipTlsSettings(config: Readonly<Config>): TlsSettings | undefined {
  if (!config.sip.listen.some((l) => l.transport === 'tls')) return undefined;
  const t = config.sip.tls;
  const files = tlsFiles(config.dataDir);
  const server: TlsSettings['server'] = {
    ...TLS_POLICY,
    cert: read('certFile', t.certFile || files.cert),
    key: read('keyFile', t.keyFile || files.key),
  };
  if (t.requireClientCert) {
    // RFC 5630 §3.2: mutual TLS where the bank issues phones certificates.
    server.ca = read('clientCaFile', t.clientCaFile || files.caCert);
    server.requestCert = true;
    server.rejectUnauthorized = true;
  }
  const extra = t.trustedCaFile ? [read('trustedCaFile', t.trustedCaFile).toString()] : [];
  return {
    server,
    client: { ...TLS_POLICY, ca: [...rootCertificates, ...extra].join('\n'), rejectUnauthorized: true },
  };
}
