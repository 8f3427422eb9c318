import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import type {RunRecord} from '../protocol/index.js';
import {renderRunDetails} from '../render/runs.js';
import {stringArg} from '../cli/args.js';

export default class Show extends CapsuleCommand {
  static override summary = 'Show one run: status, input, result or error, every attempt.';
  static override examples = ['<%= config.bin %> show run_01HZX3', '<%= config.bin %> show run_01HZX3 --json'];
  static override args = {run: stringArg({required: true, description: 'Run id.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<RunRecord> {
    const {args, flags} = await this.parse(Show);
    const run = await (await this.daemon(flags.autostart)).call('run.get', {id: args.run});
    this.log(renderRunDetails(run, this.paint));
    return run;
  }
}
