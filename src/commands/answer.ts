import {Flags} from '@oclif/core';
import {ask} from '../cli/ask.js';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {badInput} from '../lib/errors.js';
import type {RunRecord} from '../protocol/index.js';

export default class Answer extends CapsuleCommand {
  static override summary = "Answer a run's ctx.prompt question.";
  static override description =
    'With VALUE, sends it; without, shows the question and reads the answer from the terminal (typed masked for a secret) or the first line of standard input. An empty answer takes the default. An answer that is not one of the choices is refused (exit 2).';
  static override examples = ['<%= config.bin %> answer run_01HZX3 blue', '<%= config.bin %> answer run_01HZX3', '<%= config.bin %> answer run_01HZX3 --step pw#1'];
  static override args = {
    run: stringArg({required: true, description: 'Run id.'}),
    value: stringArg({description: 'The answer; asked for when left out.'}),
  };
  static override flags = {
    step: Flags.string({description: 'Which prompt, when the run waits for several: its key, as `capsule show RUN` lists it (prompt#1).'}),
    ...autostartFlag,
  };

  async run(): Promise<RunRecord> {
    const {args, flags} = await this.parse(Answer);
    const client = await this.daemon(flags.autostart);
    let value = args.value;
    let step = flags.step;
    if (value === undefined) {
      const {steps} = await client.call('run.steps', {id: args.run});
      const waiting = steps.filter((candidate) => candidate.kind === 'prompt' && candidate.status === 'waiting' && (step === undefined || candidate.key === step));
      if (waiting.length === 0) throw badInput(step === undefined ? `run ${args.run} asks no question` : `run ${args.run} has no waiting prompt ${step}`, '`capsule runs --status waiting` lists the runs waiting for an answer');
      if (waiting.length > 1) throw badInput(`run ${args.run} waits for ${waiting.length} answers (${waiting.map((candidate) => candidate.key).join(', ')}); say which with --step`);
      const prompt = waiting[0]!;
      step = prompt.key;
      const reply = await ask(prompt.prompt!);
      if (reply === null) throw badInput('no answer was given', 'type an answer and press Enter, or pass it: `capsule answer RUN VALUE`');
      value = reply;
    }
    const run = await client.call('run.answer', {id: args.run, value, ...(step === undefined ? {} : {step})});
    this.log(`${run.id}: answered; the run is ${run.status}`);
    return run;
  }
}
