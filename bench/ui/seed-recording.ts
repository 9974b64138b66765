// Puts one real recording into a data directory for the screenshots: a
// capture laid out as rtpengine writes it, converted by the real pipeline.
import path from 'node:path';
import { silentLogger } from '../../services/common/logger';
import { openKeyring } from '../../services/recordings/keys';
import { RecordingPipeline } from '../../services/recordings/pipeline';
import { Vault } from '../../services/recordings/vault';
import { openStore } from '../../services/store';
import { writeCapture } from '../../test/recordings/spool-writer';

export async function seedRecording(dataDir: string, tenantId: number): Promise<void> {
  const store = openStore(path.join(dataDir, 'korobka.db'));
  try {
    const spool = path.join(dataDir, 'recordings', 'spool');
    writeCapture(spool, 'call-shot-1', { recordingId: 'rec-shot-1', tenantId: String(tenantId), caller: '+74951234567', callee: '204' }, { seconds: 4 });
    const pipeline = new RecordingPipeline({ dataDir, vault: new Vault(openKeyring({ dataDir })), repo: store.recordings, log: silentLogger, format: 'opus' });
    await pipeline.processSpool(spool);
  } finally {
    store.close();
  }
}
