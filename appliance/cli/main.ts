// The `korobka` command.
import { adminCommand } from './commands/admin';
import { auditCommand } from './commands/audit';
import { backupCommand } from './commands/backup';
import { restoreCommand } from './commands/restore';
import { rollbackCommand } from './commands/rollback';
import { selftestCommand } from './commands/selftest';
import { doctorCommand } from './commands/doctor';
import { initCommand } from './commands/init';
import { startCommand } from './commands/start';
import { statusCommand } from './commands/status';
import { stopCommand } from './commands/stop';
import { licenseCommand } from './commands/license';
import { urlCommand } from './commands/url';
import { tlsCommand } from './commands/tls';
import { ConfigError, print, printErr, UsageError, type Command } from './command';

const commands: Command[] = [initCommand, startCommand, stopCommand, statusCommand, doctorCommand, adminCommand, auditCommand, licenseCommand, urlCommand, backupCommand, restoreCommand, rollbackCommand, selftestCommand, tlsCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: korobka <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `korobka <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // The data directory holds password hashes, keys and recordings: nothing in it is for other users.
  process.umask(0o027);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    print(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    printErr(`korobka: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    print(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof ConfigError) {
      printErr('configuration problems:');
      for (const p of e.problems) printErr(`  ${p}`);
      return 78; // EX_CONFIG
    }
    if (e instanceof UsageError) {
      printErr(`korobka ${name}: ${e.message}\n\n${cmd.help}`);
      return 2;
    }
    printErr(`korobka ${name}: ${(e as Error).message}`);
    return 1;
  }
}

// A command left waiting on something that can no longer happen would let
// Node exit 0 with nothing said (a backup once did): fail loudly instead.
// Never fires for a command that finishes (process.exit comes first) or keeps
// running (the supervisor).
process.on('beforeExit', () => {
  printErr(`korobka ${process.argv[2] ?? ''}: stopped before it finished (internal error: it was left waiting on nothing); what it reported done is unaffected`);
  process.exit(70); // EX_SOFTWARE
});

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    printErr(String(e));
    process.exit(1);
  },
);
