// The SecretBox for trunk passwords, keyed from the appliance master key the
// recordings vault keeps (<dataDir>/keys/master.key, or the configured file),
// loaded on first use. The associated data binds a password to its tenant.
import { loadMasterKey } from '../../../common/keys';
import { SecretBox, TRUNK_PASSWORD } from '../../../common/secret-box';
import type { ApiDeps } from '../../context';

export const trunkAad = TRUNK_PASSWORD.aad;

export function trunkSecrets(deps: ApiDeps): () => SecretBox {
  let box: SecretBox | undefined;
  return () => (box ??= new SecretBox(loadMasterKey({ dataDir: deps.config.dataDir, masterKeyPath: deps.config.recordings.masterKeyPath }).key, TRUNK_PASSWORD.purpose));
}
