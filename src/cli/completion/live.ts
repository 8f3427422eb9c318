import type {Config} from '@oclif/core';
import type {DaemonClient} from '../../client/client.js';
import {tryConnect} from '../../client/daemon-process.js';
import type {HomePaths} from '../../lib/home.js';
import type {ProjectSummary} from '../../protocol/index.js';
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
 * nothing when there is none, and gives up after `timeoutMs`. `root`: the project directory
 * the command is typed in, whose items are offered without their namespace as well.
 */
export async function liveNames(paths: HomePaths, kinds: readonly NameKind[], {root, timeoutMs = COMPLETION_TIMEOUT_MS}: {root?: string | undefined; timeoutMs?: number} = {}): Promise<LiveNames> {
  if (kinds.length === 0) return NO_NAMES;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let client: DaemonClient | null = null;
  try {
    client = await tryConnect(paths, {signal: controller.signal});
    if (client === null) return NO_NAMES;
    const connected = client;
    // Closing fails the requests still waiting for their replies.
    controller.signal.addEventListener('abort', () => connected.close(), {once: true});
    const wantsProjects = kinds.some((kind) => kind !== 'run' && kind !== 'session');
    const [projects, runs, sessions] = await Promise.all([
      wantsProjects ? client.call('project.list', {}) : undefined,
      kinds.includes('run') ? client.call('run.list', {limit: COMPLETION_RUNS}) : undefined,
      kinds.includes('session') ? client.call('session.list', {}) : undefined,
    ]);
    const list = projects?.projects ?? [];
    // Inside a project's directory its items are named bare too, as the commands take them there.
    const here = root === undefined ? undefined : list.find((project) => project.root === root);
    const names = (items: (project: ProjectSummary) => string[]) => [
      ...(here ? items(here) : []),
      ...list.flatMap((project) => items(project).map((name) => `${project.namespace}/${name}`)),
    ];
    return {
      namespace: list.map((project) => project.namespace),
      task: names((project) => project.tasks.map((task) => task.name)),
      // Listed by instance (api#0, api#1): the service is what a command takes first.
      service: names((project) => [...new Set(project.services.map((service) => splitInstance(service.name).service))]),
      schedule: names((project) => project.schedules.map((schedule) => schedule.name)),
      run: runs?.runs.map((run) => run.id) ?? [],
      session: sessions?.sessions.map((session) => session.id) ?? [],
    };
  } catch {
    // Too slow, a daemon of another protocol version, or one that went away: commands and flags still complete.
    return NO_NAMES;
  } finally {
    clearTimeout(timer);
    client?.close();
  }
}
