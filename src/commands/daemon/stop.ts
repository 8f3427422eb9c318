import {Flags} from '@oclif/core';
import {CapsuleCommand} from '../../cli/base.js';
import {stopDaemon} from '../../client/daemon-process.js';
import {parseDuration} from '../../lib/duration.js';
import {renderStopProgress} from '../../render/daemon.js';

export interface DaemonStopResult {
  stopped: boolean;
  pid: number | null;
}

export default class DaemonStop extends CapsuleCommand {
  static override summary = 'Stop the daemon gracefully.';
  static override description =
    'Stops accepting work, lets running work finish up to --timeout, stops schedules and services (all at once, each after the services depending on it, within its stop_timeout), flushes state and removes the socket. Waits until the daemon has exited, as long as it says its shutdown may take (at least --timeout) plus 5 s.';
  static override examples = ['<%= config.bin %> daemon stop', '<%= config.bin %> daemon stop --timeout 30s'];
  static override flags = {
    timeout: Flags.string({default: '10s', description: 'How long running work may take to finish (e.g. 10s, 1m).'}),
  };

  async run(): Promise<DaemonStopResult> {
    const {flags} = await this.parse(DaemonStop);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const pid = await stopDaemon(this.paths, timeoutMs, (update) => this.log(renderStopProgress(update, timeoutMs, this.paint)));
    this.log(pid === null ? 'capsule daemon is not running' : `stopped capsule daemon (pid ${pid})`);
    return {stopped: pid !== null, pid};
  }
}
