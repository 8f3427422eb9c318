import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {badInput} from '../lib/errors.js';
import type {RunRecord} from '../protocol/index.js';

export default class Signal extends CapsuleCommand {
  static override summary = "Send a signal to a run's ctx.waitFor(NAME).";
  static override description =
    'A run waiting for NAME goes on with the value; a run not there yet keeps the signal until it gets there. A finished run refuses it (exit 2), and so does a run stopped at waits for other names only.';
  static override examples = [`<%= config.bin %> signal run_01HZX3 approved --value '{"by":"ana"}'`, '<%= config.bin %> signal run_01HZX3 go'];
  static override args = {
    run: stringArg({required: true, description: 'Run id.'}),
    name: stringArg({required: true, description: 'The signal: the name the run passes to ctx.waitFor.'}),
  };
  static override flags = {
    value: Flags.string({char: 'v', description: 'The value ctx.waitFor resolves with, as JSON. @default null'}),
    ...autostartFlag,
  };

  async run(): Promise<{run: RunRecord; delivered: boolean}> {
    const {args, flags} = await this.parse(Signal);
    const value = flags.value === undefined ? null : parseValue(flags.value);
    const result = await (await this.daemon(flags.autostart)).call('run.signal', {id: args.run, name: args.name, value});
    this.log(result.delivered ? `${result.run.id}: "${args.name}" delivered; the run is ${result.run.status}` : `${result.run.id}: "${args.name}" kept until the run reaches ctx.waitFor("${args.name}")`);
    return result;
  }
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badInput(`--value is not valid JSON: ${(error as Error).message}`, `quote it for the shell: --value '{"ok": true}', or --value '"text"' for a string`);
  }
}
