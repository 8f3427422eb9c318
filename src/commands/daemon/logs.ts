import {Flags} from '@oclif/core';
import {CapsuleCommand} from '../../cli/base.js';
import {followFile, readLastLines} from '../../lib/tail.js';

export default class DaemonLogs extends CapsuleCommand {
  static override summary = "Print the daemon's own log.";
  static override description = 'Reads CAPSULE_HOME/logs/daemon.log, so it works even when the daemon is down.';
  static override examples = ['<%= config.bin %> daemon logs -n 50', '<%= config.bin %> daemon logs -f'];
  static override enableJsonFlag = false;
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines until interrupted.'}),
    lines: Flags.integer({char: 'n', default: 100, min: 0, description: 'How many of the last lines to print.'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(DaemonLogs);
    for (const line of await readLastLines(this.paths.daemonLog, flags.lines)) this.log(line);
    if (!flags.follow) return;
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    await followFile(this.paths.daemonLog, (text) => process.stdout.write(text), stop.signal);
  }
}
