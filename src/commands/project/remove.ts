import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {stringArg} from '../../cli/args.js';
import {parseProjectTarget} from '../../client/targets.js';

export default class ProjectRemove extends CapsuleCommand {
  static override summary = 'Unregister a project: its schedules stop and its services are stopped.';
  static override examples = ['<%= config.bin %> project remove reports', '<%= config.bin %> project remove ./reports-copy'];
  static override args = {project: stringArg({required: true, description: 'Project namespace, or its directory written as a path (./shop, /srv/shop).'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{namespace: string; root: string}> {
    const {args, flags} = await this.parse(ProjectRemove);
    const removed = await (await this.daemon(flags.autostart)).call('project.remove', parseProjectTarget(args.project));
    this.log(`removed ${removed.namespace} (${removed.root})`);
    return removed;
  }
}
