import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import type {SessionSummary} from '../../protocol/index.js';
import {renderSessionTable} from '../../render/sessions.js';

export default class SessionList extends CapsuleCommand {
  static override summary = 'List code sessions: state, isolation, project, pid, memory, snippets run.';
  static override description = 'A session whose process was gone when the daemon restarted is listed as lost until it is closed.';
  static override examples = ['<%= config.bin %> session list', '<%= config.bin %> session list --json'];
  static override flags = {...autostartFlag};

  async run(): Promise<SessionSummary[]> {
    const {flags} = await this.parse(SessionList);
    const {sessions} = await (await this.daemon(flags.autostart)).call('session.list', {});
    this.log(renderSessionTable(sessions, this.paint));
    return sessions;
  }
}
