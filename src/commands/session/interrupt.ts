import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {stringArg} from '../../cli/args.js';

export default class SessionInterrupt extends CapsuleCommand {
  static override summary = "Interrupt the snippet running in a code session; the session keeps its names.";
  static override description =
    'The snippet ends with an `interrupted` error (its caller is told); one that does not stop within 2 s has its process killed and replaced. Exits 1 when no snippet was running.';
  static override examples = ['<%= config.bin %> session interrupt ses_0a1b2c3d4e'];
  static override args = {id: stringArg({required: true, description: 'Session id (see `capsule session list`).'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{interrupted: string | null}> {
    const {args, flags} = await this.parse(SessionInterrupt);
    const result = await (await this.daemon(flags.autostart)).call('session.interrupt', {id: args.id});
    if (result.interrupted === null) {
      if (this.jsonEnabled()) this.logJson(result);
      else this.logToStderr(`no snippet is running in ${args.id}`);
      this.exit(1);
    }
    this.log(`interrupted the snippet running in ${args.id}`);
    return result;
  }
}
