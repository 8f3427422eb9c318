// The daemon process: `node dist/daemon.js [--foreground]`, started by `capsule daemon start`.
import {toCapsuleError} from '../src/lib/errors.js';
import {EXIT_HOME_TAKEN, homePaths} from '../src/lib/home.js';
import {setFlagsFromString} from 'node:v8';
import {dropAddedEnvironment, takeBackend} from '../src/startup/daemon-env.js';
import {TIER_UP_SOONER, WORKER_THREADS_DEFAULT_YOUNG_GENERATION} from '../src/startup/v8-flags.js';
import {Daemon} from './daemon.js';
import {createLogger} from './core/logger.js';

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

// Both flags are explained in src/startup/v8-flags.ts.
setFlagsFromString(WORKER_THREADS_DEFAULT_YOUNG_GENERATION);
dropAddedEnvironment();

const paths = homePaths();
const foreground = process.argv.includes('--foreground');
const backend = takeBackend();
const logger = createLogger(paths.daemonLog, {echo: foreground});

// A bug in one handler must not take down every client: log it with its stack and keep serving.
process.on('uncaughtException', (error) => logger.error('uncaught exception', error));
process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', reason));

try {
  const daemon = await Daemon.start(paths, logger, () => process.exit(0), {backend});
  setFlagsFromString(TIER_UP_SOONER);
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
