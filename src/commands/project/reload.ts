import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {CapsuleError} from '../../lib/errors.js';
import type {ProjectSummary} from '../../protocol/index.js';
import {renderProjectTree} from '../../render/projects.js';
import {terminalWidth} from '../../render/style.js';
import {stringArg} from '../../cli/args.js';

export default class ProjectReload extends CapsuleCommand {
  static override summary = "Reload a project's capsule.toml and task modules.";
  static override description = 'The daemon also reloads a project by itself when its capsule.toml or entry files change.';
  static override examples = ['<%= config.bin %> project reload reports'];
  static override args = {namespace: stringArg({required: true, description: 'Project namespace.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<ProjectSummary> {
    const {args, flags} = await this.parse(ProjectReload);
    const project = await (await this.daemon(flags.autostart)).call('project.reload', {namespace: args.namespace});
    this.log(renderProjectTree([project], {width: terminalWidth(), paint: this.paint}));
    if (project.status === 'error' && project.error) throw CapsuleError.fromPayload(project.error);
    return project;
  }
}
