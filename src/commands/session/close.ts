import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {stringArg} from '../../cli/args.js';
import type {SessionSummary} from '../../protocol/index.js';

export default class SessionClose extends CapsuleCommand {
  static override summary = 'Close a code session: its process ends and its namespace is gone.';
  static override examples = ['<%= config.bin %> session close s1a2b3c4d5'];
  static override args = {id: stringArg({required: true, description: 'Session id (see `capsule session list`).'})};
  static override flags = {...autostartFlag};

  async run(): Promise<SessionSummary> {
    const {args, flags} = await this.parse(SessionClose);
    const session = await (await this.daemon(flags.autostart)).call('session.close', {id: args.id});
    this.log(`closed ${session.id} after ${session.executions} snippet${session.executions === 1 ? '' : 's'}`);
    return session;
  }
}
