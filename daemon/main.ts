// The daemon process: `node dist/daemon.js [--foreground]`, started by `capsule daemon start`.
import {toCapsuleError} from '../src/lib/errors.js';
import {homePaths} from '../src/lib/home.js';
import {setFlagsFromString} from 'node:v8';
import {Daemon} from './daemon.js';
import {EXIT_HOME_TAKEN} from './core/lifecycle.js';
import {createLogger} from './core/logger.js';

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

// The daemon's own heap was sized by DAEMON_NODE_FLAGS (a small young generation) when the
// process started; V8 reads the flag again for every worker thread, and task threads should
// get its default, so the flag is reset now that only new isolates would see it.
setFlagsFromString('--max-semi-space-size=0');

const paths = homePaths();
const foreground = process.argv.includes('--foreground');
const logger = createLogger(paths.daemonLog, {echo: foreground});

// A bug in one handler must not take down every client: log it with its stack and keep serving.
process.on('uncaughtException', (error) => logger.error('uncaught exception', error));
process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', reason));

try {
  const daemon = await Daemon.start(paths, logger, () => process.exit(0));
  tierUpSooner();
  const stop = (signal: string) => {
    logger.info(`received ${signal}`);
    void daemon.stop(DEFAULT_STOP_TIMEOUT_MS);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => logger.info('ignoring SIGHUP'));
} catch (error) {
  const failure = toCapsuleError(error);
  logger.error(`daemon did not start: ${failure.message}`, failure.code === 'internal' ? error : undefined);
  process.stderr.write(`capsule daemon: ${failure.message}${failure.hint ? `\n  hint: ${failure.hint}` : ''}\n`);
  process.exit(failure.code === 'conflict' ? EXIT_HOME_TAKEN : 1);
}

/**
 * V8 (11.3, Node 20) optimizes a function once it has run 67,584 bytes of bytecode. The
 * daemon's request paths are few and hot, and at that budget a fresh daemon took some 3,000
 * runs to reach its steady throughput; a quarter of it gets there in about 1,000 (`npm run
 * bench`, tasks). Lowered only once start-up is over: from the start, it also optimized the
 * project-loading code that runs once, and the idle daemon kept that code. The flag is
 * process-wide, so task code in worker threads is optimized sooner too; V8 reads it whenever
 * it resets a function's budget, so changing it while threads run only moves that threshold.
 */
function tierUpSooner(): void {
  setFlagsFromString('--interrupt-budget=16384');
}

