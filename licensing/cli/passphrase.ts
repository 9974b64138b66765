// The vendor key's passphrase comes from a file (a tmpfs or a hardware
// token's mount on the signing workstation), never from the command line
// where `ps` and shell history would show it.
import { readFileSync } from 'node:fs';
import { MIN_PASSPHRASE_LENGTH } from '../keys';
import { CliError } from './cli-error';

/** The first line of FILE, or undefined when no file was given. */
export function readPassphrase(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError('cannot-read', `cannot read passphrase file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const passphrase = text.split(/\r?\n/)[0] ?? '';
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new CliError('weak-passphrase', `the passphrase in ${file} is shorter than ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  return passphrase;
}
