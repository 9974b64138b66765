// korobka-license: the vendor's offline licence tool (keygen, issue, show).
// Runs on the vendor's signing workstation, never on a customer's box.
import { CliError, type Io } from './cli-error';
import { issue, ISSUE_HELP } from './issue';
import { keygen, KEYGEN_HELP } from './keygen';
import { show, SHOW_HELP } from './show';

const HELP = `Usage: korobka-license <command> [options]

Commands:
  keygen --out DIR                   create a licence-signing key pair
  issue --request FILE --profile P --customer NAME --expires DATE [options]
                                     sign a licence for an activation request
  show FILE [--pub FILE]             print a licence or a request readably

Run \`korobka-license <command> --help\` for a command's options.`;

const io: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

export function run(argv: string[], now: Date): number {
  const [verb, ...args] = argv;
  switch (verb) {
    case 'keygen':
      return keygen(args, io);
    case 'issue':
      return issue(args, io, now);
    case 'show':
      return show(args, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(HELP);
      return verb === undefined ? 2 : 0;
    default:
      throw new CliError('usage', `unknown command "${verb}" (expected keygen, issue or show)`, 2);
  }
}

function main(): void {
  const verb = process.argv[2] ?? '';
  try {
    process.exitCode = run(process.argv.slice(2), new Date());
  } catch (e) {
    if (e instanceof CliError) {
      const helps: Record<string, string> = { keygen: KEYGEN_HELP, issue: ISSUE_HELP, show: SHOW_HELP };
      io.err(`korobka-license${verb in helps ? ' ' + verb : ''}: ${e.message}`);
      if (e.exitCode === 2) io.err(`Run \`korobka-license ${verb in helps ? verb + ' ' : ''}--help\` for usage.`);
      process.exitCode = e.exitCode;
      return;
    }
    io.err(`korobka-license: unexpected error: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 1;
  }
}

main();
