/**
 * The systemd unit of `capsule daemon install`: where it goes, what it says, and whether this
 * machine runs systemd at all. The unit runs this install's daemon (dist/daemon.js under this
 * very node) in the foreground, as systemd's main process, for one CAPSULE_HOME.
 */
import {accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {homedir, userInfo} from 'node:os';
import {delimiter, dirname, isAbsolute, join} from 'node:path';
import {CapsuleError, alreadyDone, badInput} from './errors.js';
import {distFile} from './package-root.js';
import {addedEnvironment} from '../startup/daemon-env.js';
import {DAEMON_NODE_FLAGS} from '../startup/v8-flags.js';

/** A user unit runs in the user's own systemd manager; a system unit (root only) in PID 1's. */
export type UnitScope = 'user' | 'system';

export const UNIT_NAME = 'capsule.service';

/** The daemon's exit status when another daemon owns its home (EXIT_HOME_TAKEN): restarting cannot help. */
const HOME_TAKEN_STATUS = 75;

/** What the unit runs: one program, its arguments and the environment it adds to systemd's. */
export interface UnitSpec {
  scope: UnitScope;
  command: string[];
  environment: Record<string, string>;
  /** The system unit's `User=`; a user unit runs as its manager's user. */
  user?: string;
}

/** `~/.config/systemd/user/capsule.service` (XDG_CONFIG_HOME when it is absolute, as the XDG spec asks), or `/etc/systemd/system/capsule.service`. */
export function unitPath(scope: UnitScope, env: NodeJS.ProcessEnv = process.env): string {
  if (scope === 'system') return join('/etc/systemd/system', UNIT_NAME);
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(config, 'systemd', 'user', UNIT_NAME);
}

/** This install's daemon for `home`: the node running now and the dist/daemon.js beside this code. */
export function daemonUnitSpec(scope: UnitScope, home: string, env: NodeJS.ProcessEnv = process.env): UnitSpec {
  return {
    scope,
    command: [process.execPath, ...DAEMON_NODE_FLAGS, distFile('daemon.js'), '--foreground'],
    // PATH as the installing shell has it: services are started with the daemon's PATH, and systemd's own is minimal.
    environment: {CAPSULE_HOME: home, ...(env.PATH ? {PATH: env.PATH} : {}), ...addedEnvironment({})},
    ...(scope === 'system' ? {user: userInfo().username} : {}),
  };
}

export function renderUnit(spec: UnitSpec): string {
  const system = spec.scope === 'system';
  return [
    '# Written by `capsule daemon install`; `capsule daemon uninstall` removes it.',
    '[Unit]',
    `Description=Capsule daemon (CAPSULE_HOME=${spec.environment.CAPSULE_HOME ?? ''})`,
    ...(system ? ['Wants=network-online.target', 'After=network-online.target'] : []),
    '',
    '[Service]',
    // The daemon stays in the foreground as the main process; it never forks away from systemd.
    'Type=simple',
    `ExecStart=${spec.command.map((word) => quote(word, {command: true})).join(' ')}`,
    ...Object.entries(spec.environment).map(([name, value]) => `Environment=${quote(`${name}=${value}`)}`),
    ...(spec.user ? [`User=${spec.user}`] : []),
    // Services are their own sessions but stay in this unit's cgroup. systemd signals only the
    // daemon, which stops its services itself on SIGTERM; a daemon that crashes leaves them
    // running, and the one systemd starts again adopts them.
    'KillMode=process',
    'Restart=on-failure',
    'RestartSec=1s',
    // Another daemon already owns this home: starting again would only fail again.
    `RestartPreventExitStatus=${HOME_TAKEN_STATUS}`,
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

/**
 * One word of a unit's line in double quotes: systemd unquotes C-style escapes, expands `%`
 * specifiers everywhere and, in a command, `$` variables.
 */
function quote(word: string, {command = false} = {}): string {
  let text = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/%/g, '%%');
  if (command) text = text.replace(/\$/g, '$$$$');
  return `"${text}"`;
}

/** Why this machine cannot take a unit now, or null when systemd runs it. */
export function systemdMissing(env: NodeJS.ProcessEnv = process.env): string | null {
  if (!onPath('systemctl', env)) return 'systemctl is not on PATH';
  // What sd_booted(3) checks: systemd is the running init.
  if (!existsSync('/run/systemd/system')) return 'systemd is not running here (/run/systemd/system does not exist)';
  return null;
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function systemctl(scope: UnitScope): string {
  return scope === 'user' ? 'systemctl --user' : 'systemctl';
}

/** What the person runs next to have the unit start the daemon now and at every boot. */
export function enableCommands(scope: UnitScope): string[] {
  const enable = `${systemctl(scope)} enable --now ${UNIT_NAME}`;
  // A user's manager runs only while they are logged in, unless they linger.
  return scope === 'user' ? [enable, `loginctl enable-linger ${userInfo().username}`] : [enable];
}

export interface UnitInstall {
  scope: UnitScope;
  path: string;
  /** `written`: a new or replaced file; `unchanged`: the same unit was there; `printed`: `--print`, or no systemd here, so not written. */
  outcome: 'written' | 'unchanged' | 'printed';
  /** Why the unit was printed instead of written; null when it was not. */
  noSystemd: string | null;
  unit: string;
  /** The commands to run next (none when the unit was only printed). */
  next: string[];
}

/**
 * Writes the unit, unless asked only to `print` it or this machine has no systemd; refuses to
 * replace a different one without `force`.
 */
export function installUnit(spec: UnitSpec, options: {force: boolean; print: boolean; env?: NodeJS.ProcessEnv}): UnitInstall {
  const env = options.env ?? process.env;
  const path = unitPath(spec.scope, env);
  const unit = renderUnit(spec);
  const noSystemd = systemdMissing(env);
  if (noSystemd !== null || options.print) return {scope: spec.scope, path, outcome: 'printed', noSystemd, unit, next: []};
  if (spec.scope === 'system' && process.getuid?.() !== 0) {
    throw badInput(`--system writes ${path}, which only root may do`, 'run it as root (`sudo capsule daemon install --system`), or drop --system for a user unit');
  }
  const existing = readIfExists(path);
  if (existing === unit) return {scope: spec.scope, path, outcome: 'unchanged', noSystemd, unit, next: enableCommands(spec.scope)};
  if (existing !== null && !options.force) {
    throw badInput(`${path} already exists and is not the unit this install writes`, `compare it with \`capsule daemon install --print\`; \`capsule daemon install --force\` replaces it`);
  }
  try {
    mkdirSync(dirname(path), {recursive: true});
    // Whole or not at all: systemd may read the directory at any moment.
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, unit, {mode: 0o644});
    renameSync(temporary, path);
  } catch (error) {
    throw new CapsuleError('failed', `cannot write ${path}: ${(error as Error).message}`, {hint: '`capsule daemon install --print` prints the unit, to put it there by hand'});
  }
  const reload = existing === null ? [] : [`${systemctl(spec.scope)} daemon-reload`];
  return {scope: spec.scope, path, outcome: 'written', noSystemd, unit, next: [...reload, ...enableCommands(spec.scope)]};
}

export interface UnitUninstall {
  scope: UnitScope;
  path: string;
  /** The unit and the links that enabled it. */
  removed: string[];
  next: string[];
}

/**
 * Removes the unit and the `.wants` link that enabled it (what `systemctl disable` removes), so
 * that no dangling link is left to start it at boot. A missing unit is a conflict (exit 1), as
 * every request that finds nothing to do.
 */
export function uninstallUnit(scope: UnitScope, env: NodeJS.ProcessEnv = process.env): UnitUninstall {
  const path = unitPath(scope, env);
  if (readIfExists(path) === null) throw alreadyDone(`no capsule unit at ${path}; nothing to remove`, scope === 'user' ? 'a system unit is removed with `capsule daemon uninstall --system`' : undefined);
  if (scope === 'system' && process.getuid?.() !== 0) throw badInput(`--system removes ${path}, which only root may do`, 'run it as root: `sudo capsule daemon uninstall --system`');
  const links = ['default.target.wants', 'multi-user.target.wants'].map((wants) => join(dirname(path), wants, UNIT_NAME)).filter(isLink);
  for (const file of [...links, path]) rmSync(file, {force: true});
  return {
    scope,
    path,
    removed: [path, ...links],
    next: [`${systemctl(scope)} stop ${UNIT_NAME}`, `${systemctl(scope)} daemon-reload`],
  };
}

function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CapsuleError('failed', `cannot read ${path}: ${(error as Error).message}`, {hint: 'check the path and its permissions (XDG_CONFIG_HOME, when set, is where a user unit goes)'});
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
