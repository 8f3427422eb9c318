/** What a service process is started with: argv, working directory and environment. */
import {open, readFile, type FileHandle} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {basename, join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import type {ConfigValue, ServiceConfig} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {packageDistDir} from '../executor/dist-files.js';
import {configEnvironment} from './config-values.js';
import {parseEnvFile} from './env-file.js';

/** A string command is run by the shell, so pipes, globs and `$VARS` work as typed. */
export function commandArgv(command: string[] | string): string[] {
  return runByShell(command) ? ['/bin/sh', '-c', command] : command;
}

export function runByShell(command: string[] | string): command is string {
  return typeof command === 'string';
}

export function serviceCwd(root: string, config: Pick<ServiceConfig, 'cwd'>): string {
  return resolve(root, config.cwd ?? '.');
}

export interface EnvironmentInput {
  namespace: string;
  name: string;
  root: string;
  config: Pick<ServiceConfig, 'env' | 'envFile' | 'command' | 'cwd'>;
  /** Effective config values, unmasked. */
  values: Record<string, ConfigValue>;
  /** Set by the daemon (the agent's socket, for one). */
  extra: Record<string, string>;
}

/**
 * The daemon's own environment, overridden in turn by the env_file, the `env` table, the config
 * values (as CAPSULE_CONFIG_<KEY>) and the service's identity. A Node service whose project does
 * not install capsule gets, in NODE_OPTIONS, the preload that lets it import `capsule/service`.
 */
export async function serviceEnvironment(input: EnvironmentInput): Promise<Record<string, string>> {
  const base = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const fromFile = input.config.envFile === null ? {} : await readEnvFile(resolve(input.root, input.config.envFile), `${input.namespace}/${input.name}`);
  const env: Record<string, string> = {
    ...base,
    ...fromFile,
    ...input.config.env,
    ...configEnvironment(input.values),
    ...input.extra,
    CAPSULE_NAMESPACE: input.namespace,
    CAPSULE_SERVICE: `${input.namespace}/${input.name}`,
  };
  const cwd = serviceCwd(input.root, input.config);
  if ((await mayImportCapsule(input.config.command, cwd)) && !resolvesCapsule(cwd)) env['NODE_OPTIONS'] = withPreload(env['NODE_OPTIONS']);
  return env;
}

/**
 * Programs that are Node.js or start it. Only those that may import capsule get the preload: its
 * module hooks run on a thread of their own in each Node process, some 13 MB and 70 ms.
 */
const NODE_PROGRAMS = new Set(['node', 'nodejs', 'npm', 'npx', 'tsx']);
/** Node's options that take the next word as their value, so that it is not taken for the script. */
const NODE_VALUE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '--input-type', '--title']);
const EVAL_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);
const MENTIONS_CAPSULE = /['"]capsule(?:\/[a-z]+)?['"]/;
/** Read of a script to look for the import: an entry file imports at its top. */
const SCRIPT_HEAD_BYTES = 256 * 1024;

/**
 * Whether the command is a Node program that may import capsule: `node FILE` (or `node -e CODE`)
 * whose file (or code) names it; npm, npx, tsx and a shell line that starts one of them run a
 * script this cannot see, and may.
 */
export async function mayImportCapsule(command: string[] | string, cwd: string): Promise<boolean> {
  const words = runByShell(command) ? command.trim().split(/\s+/) : command;
  const program = words[0];
  if (program === undefined || (program !== process.execPath && !NODE_PROGRAMS.has(basename(program)))) return false;
  if (runByShell(command) || !['node', 'nodejs'].includes(basename(program))) return true;
  for (let index = 1; index < words.length; index++) {
    const word = words[index]!;
    if (EVAL_OPTIONS.has(word)) return MENTIONS_CAPSULE.test(words[index + 1] ?? '');
    if (NODE_VALUE_OPTIONS.has(word)) index++;
    else if (!word.startsWith('-')) return scriptMentionsCapsule(resolve(cwd, word));
  }
  return false;
}

async function scriptMentionsCapsule(file: string): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const head = Buffer.alloc(SCRIPT_HEAD_BYTES);
    const {bytesRead} = await handle.read(head, 0, SCRIPT_HEAD_BYTES, 0);
    return MENTIONS_CAPSULE.test(head.toString('utf8', 0, bytesRead));
  } catch {
    // Unreadable now: the service's own start says why; the preload costs nothing that matters then.
    return true;
  } finally {
    await handle?.close();
  }
}

/** Whether a module in `dir` finds an installed capsule of its own, which it then keeps. */
function resolvesCapsule(dir: string): boolean {
  try {
    createRequire(join(dir, 'index.js')).resolve('capsule/package.json');
    return true;
  } catch {
    return false;
  }
}

let preloadOption: string | undefined;

/** A file URL has no spaces to quote; the preload goes last, after what the service asked for. */
function withPreload(options: string | undefined): string {
  const preload = (preloadOption ??= `--import=${pathToFileURL(join(packageDistDir(), 'service-register.js')).href}`);
  if (options === undefined || options.trim() === '') return preload;
  return options.includes(preload) ? options : `${options} ${preload}`;
}

async function readEnvFile(file: string, target: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CapsuleError('config_invalid', `env_file of ${target} could not be read: ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'create the file or fix the env_file path (relative to the project root)',
    });
  }
  return parseEnvFile(text, file);
}
