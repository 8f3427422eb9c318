import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {resolveItemRef} from '../client/targets.js';
import {parseActionArgs, type ActionResult} from '../protocol/index.js';
import {stringArg} from '../cli/args.js';

export default class Action extends CapsuleCommand {
  static override summary = 'Run an operator action a service declares, streaming its output.';
  static override examples = ['<%= config.bin %> action reports/api rotate-keys', '<%= config.bin %> action reports/api flush --arg scope=all --arg dry_run=true'];
  static override args = {
    service: stringArg({required: true, description: 'NAMESPACE/SERVICE, or SERVICE in its project.'}),
    action: stringArg({required: true, description: 'Action name.'}),
  };
  static override flags = {
    arg: Flags.string({char: 'a', multiple: true, default: [], description: 'An argument as key=value (repeatable).'}),
    ...autostartFlag,
  };

  async run(): Promise<ActionResult> {
    const {args, flags} = await this.parse(Action);
    const actionArgs = parseActionArgs(flags.arg, {source: '--arg', hint: 'pass each argument as --arg name=value, e.g. --arg scope=all'});
    const client = await this.daemon(flags.autostart);
    if (!this.jsonEnabled()) {
      client.onEvent((event, data) => {
        if (event === 'action.output') process.stdout.write(data.chunk);
      });
    }
    const result = await client.call('service.action', {...(await resolveItemRef(client, args.service, 'service')), action: args.action, args: actionArgs});
    if (result.result !== null && result.result !== undefined) this.log(JSON.stringify(result.result, null, 2));
    if (result.exitCode !== 0) {
      if (this.jsonEnabled()) this.logJson(result);
      else this.logToStderr(`action ${args.action} ${result.timedOut ? 'timed out' : result.signal ? `was killed by ${result.signal}` : `exited with status ${result.exitCode}`}`);
      this.exit(1);
    }
    return result;
  }
}
