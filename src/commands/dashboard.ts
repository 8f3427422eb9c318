import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {loadModule} from '../cli/load-module.js';
import {tryConnect} from '../client/daemon-process.js';
import {pathToFileURL} from 'node:url';
import {CapsuleError} from '../lib/errors.js';
import {distFile} from '../lib/package-root.js';

export default class Dashboard extends CapsuleCommand {
  static override summary = 'Open the live dashboard of tasks, schedules and services.';
  static override description = 'Also what `capsule` alone opens on a terminal. Press ? in it for every key.';
  static override examples = ['<%= config.bin %> dashboard', '<%= config.bin %>'];
  static override enableJsonFlag = false;
  static override flags = {...autostartFlag};

  async run(): Promise<void> {
    const {flags} = await this.parse(Dashboard);
    const notTty = [process.stdin.isTTY ? '' : 'standard input', process.stdout.isTTY ? '' : 'standard output'].filter(Boolean);
    if (notTty.length > 0) {
      throw new CapsuleError('bad_input', `the dashboard needs a terminal, but ${notTty.join(' and ')} ${notTty.length > 1 ? 'are' : 'is'} not one`, {
        hint: 'run it in an interactive terminal; for scripts use `capsule list --json`',
      });
    }
    // Started (or found) before the screen switches, so a daemon that cannot start is reported as usual.
    let first = flags.autostart ? await this.daemon(true) : null;
    const connect = async () => {
      const client = first ?? (await tryConnect(this.paths));
      first = null;
      return client;
    };
    // A separate bundle loaded only here, so no other command pays for React and Ink.
    const {renderDashboard} = await loadModule<typeof import('../../tui/render.js')>(pathToFileURL(distFile('tui.js')).href);
    await renderDashboard({connect});
  }
}
