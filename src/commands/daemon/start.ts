import {Flags} from '@oclif/core';
import {spawnSync} from 'node:child_process';
import {CapsuleCommand} from '../../cli/base.js';
import {startDaemon, tryConnect} from '../../client/daemon-process.js';
import {parseBackend} from '../../config/backend.js';
import {EXIT_CODES} from '../../lib/errors.js';
import {daemonAlreadyRunning, EXIT_HOME_TAKEN} from '../../lib/home.js';
import {daemonStartEnvironment} from '../../startup/daemon-env.js';
import {DAEMON_NODE_FLAGS} from '../../startup/v8-flags.js';
import {distFile} from '../../lib/package-root.js';

export interface DaemonStartResult {
  pid: number;
  socket: string;
  alreadyRunning: boolean;
}

export default class DaemonStart extends CapsuleCommand {
  static override summary = 'Start the background daemon.';
  static override description = 'Returns once the daemon answers on its socket. If one is already running, says so and exits 0; with --foreground, says so and exits 1.';
  static override examples = ['<%= config.bin %> daemon start', '<%= config.bin %> daemon start --foreground', '<%= config.bin %> daemon start --backend redis://10.0.0.5:6379/0'];
  static override flags = {
    foreground: Flags.boolean({description: 'Run the daemon attached to this terminal (for debugging and service managers).'}),
    backend: Flags.string({description: 'Join the nodes sharing this Redis for this start, over `backend` in daemon.toml.', helpValue: 'URL'}),
  };

  async run(): Promise<DaemonStartResult | void> {
    const {flags} = await this.parse(DaemonStart);
    // Checked here too, so a typo is told at once, naming the flag, rather than read from the daemon's log.
    if (flags.backend !== undefined) parseBackend(flags.backend, '--backend');
    if (flags.foreground) {
      // Asked to be the daemon, and one is there: the request cannot be met (exit 1), unlike the
      // background start below, whose goal (a daemon running) is met already.
      const running = await tryConnect(this.paths);
      if (running) {
        running.close();
        throw daemonAlreadyRunning(running.daemonPid, this.paths);
      }
      const result = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, distFile('daemon.js'), '--foreground'], {stdio: 'inherit', env: daemonStartEnvironment(this.paths.home, flags.backend)});
      // A daemon that came up in between: the daemon process has said so on stderr.
      return this.exit(result.status === EXIT_HOME_TAKEN ? EXIT_CODES.conflict : (result.status ?? 1));
    }
    const start = await startDaemon(this.paths, {backend: flags.backend});
    start.client.close();
    this.log(start.started ? `started capsule daemon (pid ${start.pid})` : `capsule daemon already running (pid ${start.pid})`);
    this.log(`socket: ${this.paths.socket}`);
    if (!start.started && flags.backend !== undefined) this.warn('--backend applies to a start: the daemon running keeps its backend (`capsule nodes` shows it); stop it first to start it with another');
    return {pid: start.pid, socket: this.paths.socket, alreadyRunning: !start.started};
  }
}
