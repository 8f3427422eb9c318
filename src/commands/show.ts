import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import type {RunRecord, StepRecord} from '../protocol/index.js';
import {renderRunDetails, renderSteps} from '../render/runs.js';
import {stringArg} from '../cli/args.js';

export default class Show extends CapsuleCommand {
  static override summary = 'Show one run: status, input, result or error, every attempt, and its steps, sleeps, waits and prompts.';
  static override examples = ['<%= config.bin %> show run_01HZX3', '<%= config.bin %> show run_01HZX3 --json'];
  static override args = {run: stringArg({required: true, description: 'Run id.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<RunRecord & {steps: StepRecord[]}> {
    const {args, flags} = await this.parse(Show);
    const client = await this.daemon(flags.autostart);
    const [run, {steps}] = await Promise.all([client.call('run.get', {id: args.run}), client.call('run.steps', {id: args.run})]);
    this.log(renderRunDetails(run, this.paint));
    if (steps.length > 0) this.log(renderSteps(steps, this.paint));
    return {...run, steps};
  }
}
