// The api's last line of defence. Every request path is meant to be total
// (a bad request gets a 4xx), but should an exception still escape, the
// process logs it once and exits non-zero rather than limp on in an unknown
// state: the supervisor restarts it with its exponential backoff, so a
// request that keeps killing the api costs at most one restart per backoff
// period instead of a tight crash loop.
import { createLogger, type Logger } from '../common/logger';

/** Exit status for "died of an uncaught exception" (EX_SOFTWARE, sysexits.h). */
export const EXIT_UNCAUGHT = 70;

export function installLastResort(log: Logger = createLogger({ base: { service: 'api' } }), exit: (code: number) => void = (c) => process.exit(c)): void {
  let dying = false;
  const die = (kind: string) => (err: unknown) => {
    if (dying) return;
    dying = true;
    log.error('uncaught exception: exiting for the supervisor to restart', { kind, err });
    exit(EXIT_UNCAUGHT);
  };
  process.on('uncaughtException', die('uncaughtException'));
  process.on('unhandledRejection', die('unhandledRejection'));
}
