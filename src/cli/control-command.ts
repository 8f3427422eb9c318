import type {ControlResult, ControlVerb} from '../protocol/index.js';
import {CapsuleCommand, autostartFlag} from './base.js';
import {stringArg} from './args.js';
import type {DaemonClient} from '../client/client.js';
import {resolveTarget} from '../client/targets.js';
import {badInput} from '../lib/errors.js';

/** `capsule restart|stop|start TARGET`: one daemon method resolves what TARGET names and acts on it. */
export function controlCommand(verb: ControlVerb, summary: string, examples: string[]): typeof CapsuleCommand {
  return class Control extends CapsuleCommand {
    static override summary = summary;
    static override description =
      'TARGET is NAMESPACE/NAME (a service or schedule; inside a project, NAME alone), a run id, or a NAMESPACE for all of its services. With a backend, NAMESPACE/NAME@NODE acts on another node (`capsule nodes` lists them).';
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
  const at = target.lastIndexOf('@');
  if (at !== -1) {
    // Another node's: resolved there, for this node may not have the project at all.
    const [named, node] = [target.slice(0, at), target.slice(at + 1)];
    if (!named.includes('/') || node === '') throw badInput(`expected NAMESPACE/NAME@NODE, got ${JSON.stringify(target)}`, 'name the service or schedule in full, such as `reports/api@worker-b`');
    return client.call('control.apply', {verb, target: named, node});
  }
  // A task is resolved too, for the daemon to say that tasks are run, not started.
  const resolved = await resolveTarget(client, target, ['service', 'schedule', 'task'], {namespaces: true});
  return client.call('control.apply', {verb, target: resolved});
}
