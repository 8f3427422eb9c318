import {Flags} from '@oclif/core';
import {CapsuleCommand} from '../../cli/base.js';
import {startDaemon, stopDaemon} from '../../client/daemon-process.js';
import {parseDuration} from '../../lib/duration.js';
import {parseBackend} from '../../config/backend.js';
import {renderStopProgress} from '../../render/daemon.js';

export interface DaemonRestartResult {
  previousPid: number | null;
  pid: number;
}

export default class DaemonRestart extends CapsuleCommand {
  static override summary = 'Stop the daemon (if running) and start it again; services keep running.';
  static override description =
    'Services are left running and the new daemon adopts them (live restore): same pids, no restart, their output while no daemon ran kept in their logs. This is also how to upgrade Capsule without stopping services. Runs and schedules behave as with `daemon stop`.';
  static override examples = ['<%= config.bin %> daemon restart', '<%= config.bin %> daemon restart --stop-services'];
  static override flags = {
    timeout: Flags.string({default: '10s', description: 'How long running work may take to finish before the stop.'}),
    'stop-services': Flags.boolean({description: 'Stop the services too, and start them afresh with the new daemon.'}),
    backend: Flags.string({description: 'Start the new daemon on this Redis backend, over `backend` in daemon.toml (a `daemon start --backend` is not remembered).', helpValue: 'URL'}),
  };

  async run(): Promise<DaemonRestartResult> {
    const {flags} = await this.parse(DaemonRestart);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    if (flags.backend !== undefined) parseBackend(flags.backend, '--backend');
    const previousPid = await stopDaemon(this.paths, timeoutMs, (update) => this.log(renderStopProgress(update, timeoutMs, this.paint)), {leaveServices: !flags['stop-services']});
    const start = await startDaemon(this.paths, {backend: flags.backend});
    start.client.close();
    this.log(`restarted capsule daemon (pid ${start.pid})`);
    return {previousPid, pid: start.pid};
  }
}
