import {Command, Errors, Flags} from '@oclif/core';
import type {DaemonClient} from '../client/client.js';
import {startDaemon, tryConnect} from '../client/daemon-process.js';
import {CapsuleError} from '../lib/errors.js';
import {homePaths} from '../lib/home.js';
import {closeMatches} from '../lib/suggest.js';
import {renderError} from '../render/error.js';
import {colorEnabled, painter, type Paint} from '../render/style.js';

/**
 * The one place that turns errors into text and exit codes (0 ok, 1 failed, 2 bad input,
 * 3 daemon unreachable) and that owns the daemon connection of a command.
 */
export abstract class CapsuleCommand extends Command {
  static override enableJsonFlag = true;

  protected readonly paths = homePaths();
  protected readonly paint: Paint = painter(colorEnabled());
  private connection: DaemonClient | undefined;

  /** Connects to the daemon, starting it first unless autostart is off. */
  protected async daemon(autostart = true): Promise<DaemonClient> {
    if (this.connection) return this.connection;
    const allowed = autostart && process.env.CAPSULE_NO_AUTOSTART !== '1';
    const existing = await tryConnect(this.paths);
    if (existing) return (this.connection = existing);
    if (!allowed) {
      throw new CapsuleError('daemon_unreachable', `no capsule daemon is running (CAPSULE_HOME=${this.paths.home})`, {
        hint: 'start it with `capsule daemon start`, or drop --no-autostart / CAPSULE_NO_AUTOSTART',
      });
    }
    const start = await startDaemon(this.paths);
    if (start.started) this.logToStderr(`started capsule daemon (pid ${start.pid})`);
    return (this.connection = start.client);
  }

  // oclif tokenises JSON to colour it by a theme, and Capsule sets none: the same text, written directly.
  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.connection?.close();
    return super.finally(error);
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error;
    if (!(error instanceof CapsuleError)) {
      // oclif's own usage errors (unknown flag, missing argument) keep oclif's wording and exit 2.
      if (error instanceof Errors.CLIError) throw this.withNearestFlag(error);
      error = new CapsuleError('internal', error.message, {hint: 'this is a bug in capsule; the daemon log may say more: `capsule daemon logs`', cause: error});
    }
    const failure = error as CapsuleError;
    if (this.jsonEnabled()) this.logJson({error: failure.toPayload()});
    else this.logToStderr(renderError(failure, painter(colorEnabled(process.stderr))));
    return this.exit(failure.exitCode);
  }

  /** oclif's "Nonexistent flag: --tre", with the flag of this command it is nearest to. */
  private withNearestFlag(error: Errors.CLIError): Errors.CLIError {
    const unknown = (error as Errors.CLIError & {flags?: unknown}).flags;
    if (!Array.isArray(unknown) || unknown.length !== 1 || typeof unknown[0] !== 'string') return error;
    const flags = Object.values(this.config.findCommand(this.id ?? '')?.flags ?? {}).flatMap((flag) => [`--${flag.name}`, ...(flag.type === 'boolean' && flag.allowNo ? [`--no-${flag.name}`] : [])]);
    const [nearest] = closeMatches(unknown[0].split('=')[0]!, flags);
    // Under the first line: oclif's message goes on with "See more help with --help".
    if (nearest !== undefined) error.message = error.message.replace(/^(.*)$/m, `$1. Did you mean ${nearest}?`);
    return error;
  }
}

export const autostartFlag = {
  autostart: Flags.boolean({
    default: true,
    allowNo: true,
    description: 'Start the daemon if it is not running (CAPSULE_NO_AUTOSTART=1 also turns this off).',
  }),
};
