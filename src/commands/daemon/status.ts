import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import type {DaemonStatus} from '../../protocol/index.js';
import {renderDaemonStatus} from '../../render/daemon.js';

export default class DaemonStatusCommand extends CapsuleCommand {
  static override summary = 'Show the daemon: pid, version, uptime, memory, socket, home, projects.';
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json'];
  static override flags = {...autostartFlag};

  async run(): Promise<DaemonStatus> {
    const {flags} = await this.parse(DaemonStatusCommand);
    const client = await this.daemon(flags.autostart);
    const status = await client.call('daemon.status', {});
    this.log(renderDaemonStatus(status, this.paint));
    return status;
  }
}
