/** What a service process is started with: argv, working directory and environment. */
import {readFile} from 'node:fs/promises';
import {resolve} from 'node:path';
import type {ConfigValue, ServiceConfig} from '../../src/config/services.js';
import {CapsuleError} from '../../src/lib/errors.js';
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
  config: Pick<ServiceConfig, 'env' | 'envFile'>;
  /** Effective config values, unmasked. */
  values: Record<string, ConfigValue>;
  /** Set by the daemon (the agent's socket, for one). */
  extra: Record<string, string>;
}

/**
 * The daemon's own environment, overridden in turn by the env_file, the `env` table, the config
 * values (as CAPSULE_CONFIG_<KEY>) and the service's identity.
 */
export async function serviceEnvironment(input: EnvironmentInput): Promise<Record<string, string>> {
  const base = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const fromFile = input.config.envFile === null ? {} : await readEnvFile(resolve(input.root, input.config.envFile), `${input.namespace}/${input.name}`);
  return {
    ...base,
    ...fromFile,
    ...input.config.env,
    ...configEnvironment(input.values),
    ...input.extra,
    CAPSULE_NAMESPACE: input.namespace,
    CAPSULE_SERVICE: `${input.namespace}/${input.name}`,
  };
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
