import {appendFileSync, mkdirSync, renameSync, statSync} from 'node:fs';
import {dirname} from 'node:path';
import {PRIVATE_DIR_MODE, PRIVATE_FILE_MODE} from './private-file.js';

/** The daemon's own log rotates at this size, keeping this many old files (daemon.log.1 ...). */
export const DAEMON_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DAEMON_LOG_KEEP = 3;

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/**
 * Appends timestamped lines to the daemon log. Writes are synchronous: the daemon logs
 * rarely, and a crash must not lose the line that explains it.
 */
export function createLogger(file: string, options: {echo?: boolean} = {}): Logger {
  mkdirSync(dirname(file), {recursive: true, mode: PRIVATE_DIR_MODE});
  let size = safeSize(file);
  const write = (level: Level, message: string) => {
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}\n`;
    if (size + line.length > DAEMON_LOG_MAX_BYTES) {
      rotate(file);
      size = 0;
    }
    appendFileSync(file, line, {mode: PRIVATE_FILE_MODE});
    size += Buffer.byteLength(line);
    if (options.echo) process.stderr.write(line);
  };
  return {
    debug: (message) => write('debug', message),
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message, error) => write('error', error === undefined ? message : `${message}\n${describe(error)}`),
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function rotate(file: string): void {
  for (let index = DAEMON_LOG_KEEP - 1; index >= 1; index--) {
    try {
      renameSync(`${file}.${index}`, `${file}.${index + 1}`);
    } catch {
      // a missing older file is normal
    }
  }
  try {
    renameSync(file, `${file}.1`);
  } catch {
    // nothing to rotate yet
  }
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
