// The audit log's keys: derived by HKDF-SHA256 (RFC 5869) from the appliance
// master key (services/common/keys.ts), one key per purpose, the way the
// trunk-password SecretBox derives its key (secret-box.ts). Nothing of them is
// stored: any process that holds the master key derives the same keys, and the
// database alone (a copy, a backup without keys/) cannot recompute the chain.
//
//   chain      HMAC-SHA-256 key of every audit row's link
//   checkpoint HMAC-SHA-256 key of the checkpoints (rows and the file outside the DB)
//   subject    HMAC-SHA-256 key of the references that stand for numbers and names in rows
//
// The key id names the key without revealing it, so a verifier can say
// "made under another master key" rather than "every row changed".
import { createHash, hkdfSync } from 'node:crypto';

export interface AuditKeys {
  id: string;
  chain: Buffer;
  checkpoint: Buffer;
  subject: Buffer;
}

const derive = (master: Buffer, label: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), label, 32));

export function auditKeysFrom(masterKey: Buffer): AuditKeys {
  if (masterKey.length < 32) throw new Error('audit keys need a 32-byte master key');
  const chain = derive(masterKey, 'korobka audit-chain v1');
  return {
    id: 'ak-' + createHash('sha256').update('korobka audit key id\0').update(chain).digest('hex').slice(0, 16),
    chain,
    checkpoint: derive(masterKey, 'korobka audit-checkpoint v1'),
    subject: derive(masterKey, 'korobka audit-subject-ref v1'),
  };
}
