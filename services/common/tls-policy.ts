/**
 * TLS 1.2 and 1.3 only; on 1.2 only forward-secret (ECDHE) key exchange with
 * AEAD ciphers — no static-RSA key exchange, no CBC-SHA1 (BSI TR-02102-2,
 * Mozilla "intermediate"). TLS 1.3's own suites are all AEAD and unaffected.
 * One policy for HTTPS (api) and SIP over TLS (sip-core).
 */
export const TLS_POLICY = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const;
