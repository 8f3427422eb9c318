import type {Config} from '@oclif/core';
import type {DaemonClient} from '../../client/client.js';
import {tryConnect} from '../../client/daemon-process.js';
import type {HomePaths} from '../../lib/home.js';
import {splitInstance} from '../../protocol/instances.js';
import {NO_NAMES, type CommandSpec, type LiveNames, type NameKind} from './candidates.js';

/** Recent runs offered: enough for the ones a person means, few enough to read at a key press. */
export const COMPLETION_RUNS = 50;

/**
 * A shell waits for its completion with the terminal frozen: a daemon that does not answer
 * within this long is treated as down.
 */
export const COMPLETION_TIMEOUT_MS = 1_000;

/** The command table as completion sees it: what the manifest oclif has loaded says, hidden commands left out. */
export function commandSpecs(config: Config): CommandSpec[] {
  return config.commands
    .filter((command) => !command.hidden)
    .map((command) => ({
      id: command.id,
      flags: Object.values(command.flags)
        .filter((flag) => !flag.hidden)
        .map((flag) => ({
          name: flag.name,
          takesValue: flag.type === 'option',
          allowNo: flag.type === 'boolean' && flag.allowNo === true,
          char: flag.char,
          options: flag.type === 'option' ? flag.options : undefined,
        })),
      args: Object.values(command.args).map((arg) => arg.options),
    }));
}

/**
 * The names of `kinds` the running daemon knows, or none: this never starts a daemon, says
 * nothing when there is none, and gives up after `timeoutMs`.
 */
export async function liveNames(paths: HomePaths, kinds: readonly NameKind[], timeoutMs = COMPLETION_TIMEOUT_MS): Promise<LiveNames> {
  if (kinds.length === 0) return NO_NAMES;
  let client: DaemonClient | null = null;
  let abandoned = false;
  const lookup = async (): Promise<LiveNames> => {
    client = await tryConnect(paths);
    // Connected after the timeout: nothing closes it later.
    if (abandoned) client?.close();
    if (client === null || abandoned) return NO_NAMES;
    const wantsProjects = kinds.some((kind) => kind !== 'run');
    const [projects, runs] = await Promise.all([
      wantsProjects ? client.call('project.list', {}) : undefined,
      kinds.includes('run') ? client.call('run.list', {limit: COMPLETION_RUNS}) : undefined,
    ]);
    const list = projects?.projects ?? [];
    return {
      namespace: list.map((project) => project.namespace),
      task: list.flatMap((project) => project.tasks.map((task) => `${project.namespace}/${task.name}`)),
      // Listed by instance (api#0, api#1): the service is what a command takes first.
      service: list.flatMap((project) => [...new Set(project.services.map((service) => `${project.namespace}/${splitInstance(service.name).service}`))]),
      schedule: list.flatMap((project) => project.schedules.map((schedule) => `${project.namespace}/${schedule.name}`)),
      run: runs?.runs.map((run) => run.id) ?? [],
    };
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<LiveNames>((resolve) => {
    timer = setTimeout(() => {
      abandoned = true;
      resolve(NO_NAMES);
    }, timeoutMs);
  });
  try {
    // A daemon of another protocol version, or one that goes away mid-request: commands and flags still complete.
    return await Promise.race([lookup().catch(() => NO_NAMES), timeout]);
  } finally {
    clearTimeout(timer);
    (client as DaemonClient | null)?.close();
  }
}
