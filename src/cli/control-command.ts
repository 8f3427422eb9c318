import type {ControlResult, ControlVerb} from '../protocol/index.js';
import {CapsuleCommand, autostartFlag} from './base.js';
import {stringArg} from './args.js';
import type {DaemonClient} from '../client/client.js';
import {resolveTarget} from '../client/targets.js';

/** `capsule restart|stop|start TARGET`: one daemon method resolves what TARGET names and acts on it. */
export function controlCommand(verb: ControlVerb, summary: string, examples: string[]): typeof CapsuleCommand {
  return class Control extends CapsuleCommand {
    static override summary = summary;
    static override description = 'TARGET is NAMESPACE/NAME (a service or schedule; inside a project, NAME alone), a run id, or a NAMESPACE for all of its services.';
    static override examples = examples.map((example) => `<%= config.bin %> ${verb} ${example}`);
    static override args = {target: stringArg({required: true, description: 'NAMESPACE/NAME, NAME in its project, run id or NAMESPACE.'})};
    static override flags = {...autostartFlag};

    async run(): Promise<ControlResult> {
      const {args, flags} = await this.parse(Control);
      const result = await applyControl(await this.daemon(flags.autostart), verb, args.target);
      this.log(result.message);
      return result;
    }
  };
}

export async function applyControl(client: DaemonClient, verb: ControlVerb, target: string): Promise<ControlResult> {
  // A task is resolved too, for the daemon to say that tasks are run, not started.
  const resolved = await resolveTarget(client, target, ['service', 'schedule', 'task'], {namespaces: true});
  return client.call('control.apply', {verb, target: resolved});
}
