/**
 * What `capsule start --name NAME -- CMD ARGS…` sends: resolved here, where the caller's cwd and
 * PATH are known (the daemon's may differ), and checked so an error names the flag to fix.
 */
import {accessSync, constants, statSync} from 'node:fs';
import {basename, delimiter, extname, isAbsolute, join, resolve} from 'node:path';
import {NAMESPACE_PATTERN} from '../config/names.js';
import type {RestartMode} from '../config/services.js';
import {CapsuleError, badInput} from '../lib/errors.js';

export interface AdhocFlags {
  name?: string | undefined;
  restart?: string | undefined;
  cwd?: string | undefined;
  env: string[];
  health?: string | undefined;
}

export interface AdhocRequest {
  name: string;
  /** Whether `name` was made up from the command (no --name): the CLI says so. */
  derivedName: boolean;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  restart: RestartMode | null;
  health: string | null;
}

const RESTART_MODES: readonly RestartMode[] = ['always', 'on-failure', 'never'];
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function adhocRequest(command: string[], flags: AdhocFlags, context: {cwd: string; path: string | undefined}): AdhocRequest {
  if (command.length === 0 || command[0] === '') throw badInput('expected a command after --', 'for example `capsule start --name web -- python3 -m http.server 8000`');
  const cwd = resolve(context.cwd, flags.cwd ?? '.');
  if (statSync(cwd, {throwIfNoEntry: false})?.isDirectory() !== true) {
    throw badInput(`--cwd ${flags.cwd ?? cwd}: no such directory${flags.cwd !== undefined && cwd !== flags.cwd ? ` (resolved to ${cwd})` : ''}`, 'give an existing directory; a relative one is resolved from the current directory');
  }
  const program = resolveProgram(command[0]!, cwd, context.path);
  const derived = flags.name === undefined ? deriveName(command, cwd) : null;
  const name = flags.name ?? derived!;
  if (!NAMESPACE_PATTERN.test(name)) {
    throw badInput(
      flags.name === undefined ? `cannot make a service name out of ${JSON.stringify(command[0])}` : `--name ${JSON.stringify(name)} is not a valid service name`,
      'use lowercase letters, digits, "_" and "-", starting with a letter or digit, like --name web',
    );
  }
  if (flags.restart !== undefined && !RESTART_MODES.includes(flags.restart as RestartMode)) {
    throw badInput(`--restart ${JSON.stringify(flags.restart)} is not a restart policy`, `use one of ${RESTART_MODES.join(', ')}`);
  }
  if (flags.health !== undefined && !(URL.canParse(flags.health) && /^https?:$/.test(new URL(flags.health).protocol))) {
    throw badInput(`--health ${JSON.stringify(flags.health)} is not an http:// or https:// URL`, 'for example --health http://127.0.0.1:8000/');
  }
  return {
    name,
    derivedName: derived !== null,
    command: [program, ...command.slice(1)],
    cwd,
    env: parseEnv(flags.env),
    restart: (flags.restart as RestartMode | undefined) ?? null,
    health: flags.health ?? null,
  };
}

/** `KEY=VALUE` each, taken literally: the value may hold "=". */
export function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = equals === -1 ? pair : pair.slice(0, equals);
    if (equals === -1 || !ENV_KEY.test(key)) throw badInput(`--env ${JSON.stringify(pair)}: expected KEY=VALUE with KEY of letters, digits and _`, 'for example --env PORT=8000 (repeat --env for each variable)');
    env[key] = pair.slice(equals + 1);
  }
  return env;
}

/**
 * As pm2 names `pm2 start app.js` "app": the script an interpreter runs (the first argument that
 * is a file), else the program, lowercased into a service name.
 */
export function deriveName(command: string[], cwd: string): string {
  const script = command.slice(1).find((arg) => !arg.startsWith('-') && statSync(resolve(cwd, arg), {throwIfNoEntry: false})?.isFile() === true);
  const source = basename(script ?? command[0]!);
  return source
    .slice(0, source.length - extname(source).length || undefined)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[_-]+|[_-]+$/g, '');
}

/** An absolute path to the program: a path is taken from `cwd`, a bare name looked up in PATH. */
function resolveProgram(program: string, cwd: string, path: string | undefined): string {
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(cwd, program);
    if (!isExecutable(file)) throw notRunnable(program, file);
    return file;
  }
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, program);
    if (isExecutable(file)) return file;
  }
  throw new CapsuleError('bad_input', `command not found: ${program}`, {hint: 'check its spelling, or give its path (a relative one is resolved from --cwd)'});
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function notRunnable(program: string, file: string): CapsuleError {
  return badInput(`${program} is not an executable file${file === program ? '' : ` (resolved to ${file})`}`, 'check the path, and that it is executable (chmod +x)');
}
