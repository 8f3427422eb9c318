import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {stringArg} from '../../cli/args.js';

export default class ProjectRemove extends CapsuleCommand {
  static override summary = 'Unregister a project: its schedules stop and its services are stopped.';
  static override examples = ['<%= config.bin %> project remove reports'];
  static override args = {namespace: stringArg({required: true, description: 'Project namespace.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{namespace: string; root: string}> {
    const {args, flags} = await this.parse(ProjectRemove);
    const removed = await (await this.daemon(flags.autostart)).call('project.remove', {namespace: args.namespace});
    this.log(`removed ${removed.namespace} (${removed.root})`);
    return removed;
  }
}
