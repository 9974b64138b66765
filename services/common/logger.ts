// JSON lines logger with child loggers. Static messages, values in fields;
// fields whose names look secret are redacted and personal data (numbers,
// names, phones' addresses) masked before anything is written (log-mask.ts).
import { maskText, redact } from './log-mask';

export { redact } from './log-mask';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(
  opts: {
    level?: LogLevel;
    sink?: LogSink;
    base?: Record<string, unknown>;
    /** false only for a developer's debug session (config `logMaskPersonalData`); secrets are removed either way. */
    maskPersonalData?: boolean;
  } = {},
): Logger {
  const min = order[opts.level ?? 'info'];
  const mask = opts.maskPersonalData ?? true;
  const sink: LogSink = opts.sink ?? ((line) => process.stdout.write(line + '\n'));
  // Child fields are redacted once here, not on every line.
  const base = opts.base ? (redact(opts.base, mask) as Record<string, unknown>) : {};
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    const rec = { time: new Date().toISOString(), level, msg: mask ? maskText(msg) : msg, ...base, ...(fields ? (redact(fields, mask) as object) : {}) };
    sink(JSON.stringify(rec));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ level: opts.level, sink, maskPersonalData: mask, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything; for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ sink: () => undefined, level: 'error' });
