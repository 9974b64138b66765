// `korobka audit verify` and `korobka audit checkpoint`: the keyed audit
// chain checked against its checkpoints in the database and in the file
// outside it (services/store/repos/audit-verify.ts says what is detected).
import { existsSync } from 'node:fs';
import { layout } from '../../data-dir';
import { defaultMasterKeyPath } from '../../../services/common/keys';
import { defaultCheckpointFile, openStore, readCheckpoints, storeOptionsFrom, type AuditReport } from '../../../services/store';
import { commonHelp, configFrom, parse, print, printErr, UsageError, type Command } from '../command';

function describe(r: AuditReport, file: string): string[] {
  const lines = [
    `audit log: ${r.rows} rows (last ${r.lastRowId}); checkpoints: ${r.checkpoints.database} in the database, ${r.checkpoints.file} in ${file}`,
    `signed up to row ${r.checkpoints.lastCoveredRow}; ${r.uncoveredRows} newer rows are chained but not yet under a checkpoint`,
  ];
  if (r.ok) return [...lines, 'OK   the chain and every checkpoint verify'];
  const first = r.findings[0];
  return [
    ...lines,
    r.firstBadRow !== null ? `FAIL first bad row: ${r.firstBadRow} (${r.findings.find((f) => f.rowId === r.firstBadRow)?.kind})` : `FAIL ${first?.kind}`,
    ...r.findings.map((f) => `  ${f.rowId !== null ? `row ${f.rowId}` : 'checkpoints'}: ${f.kind}: ${f.message}`),
  ];
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'the audit log: verify (names the first bad row), checkpoint',
  help: `Usage: korobka audit verify [--json]
       korobka audit checkpoint

verify      walks the HMAC chain of the audit log and the signed checkpoints
            (in the database and in audit.checkpointFile outside it); names
            the first row changed, deleted or truncated. Exit 0 intact, 1 not.
checkpoint  signs the newest row now (the api does this every
            audit.checkpointEverySeconds and every audit.checkpointEveryRows).

${commonHelp}`,
  async run(argv) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, true);
    const [verb] = positionals;
    if ((verb !== 'verify' && verb !== 'checkpoint') || positionals.length !== 1) throw new UsageError('expected: korobka audit verify | checkpoint');
    const config = configFrom(values);
    const db = layout(config.dataDir).db;
    if (!existsSync(db)) {
      printErr(`${db} not found: run \`korobka init\``);
      return 1;
    }
    const keyFile = config.recordings.masterKeyPath ?? defaultMasterKeyPath(config.dataDir);
    if (!existsSync(keyFile)) {
      // Making a new key here would make every row look forged.
      printErr(`${keyFile} not found: the audit keys derive from the master key; mount or restore it first`);
      return 1;
    }
    const file = config.audit.checkpointFile || defaultCheckpointFile(db);
    const store = openStore(db, { ...storeOptionsFrom(config), migrate: false, readonly: verb === 'verify' });
    try {
      if (verb === 'checkpoint') {
        const c = store.audit.checkpoint();
        print(c ? `checkpoint ${c.id}: rows up to ${c.lastId} signed` : 'nothing new to sign');
        return 0;
      }
      const report = store.audit.report(readCheckpoints(file));
      if (values.json) print(JSON.stringify(report, null, 2));
      else for (const l of describe(report, file)) print(l);
      return report.ok ? 0 : 1;
    } finally {
      store.close();
    }
  },
};
