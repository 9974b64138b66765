// Errors the vendor tool reports as one line and a non-zero exit status:
// 2 for a wrong command line, 1 for everything else.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string) => new CliError('usage', message, 2);

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into usage errors that name the option. */
export function parseVerbArgs<O extends Options>(args: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    // parseArgs messages already name the option ("Unknown option '--foo'"); drop its advice about '--'.
    throw usageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

export function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw usageError(`${option} is required`);
  return value;
}
