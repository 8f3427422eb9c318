import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import type {RunRecord} from '../protocol/index.js';
import {stringArg} from '../cli/args.js';

export default class Cancel extends CapsuleCommand {
  static override summary = 'Cancel a queued or running run.';
  static override description = 'A running attempt sees ctx.signal abort, then its worker is stopped after a short grace. `capsule stop RUN` does the same.';
  static override examples = ['<%= config.bin %> cancel run_01HZX3'];
  static override args = {run: stringArg({required: true, description: 'Run id.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<RunRecord> {
    const {args, flags} = await this.parse(Cancel);
    const run = await (await this.daemon(flags.autostart)).call('run.cancel', {id: args.run});
    this.log(`${run.id} ${run.status}`);
    return run;
  }
}
