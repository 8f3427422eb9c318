import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {CapsuleError} from '../../lib/errors.js';
import type {ProjectSummary} from '../../protocol/index.js';
import {renderProjectTree} from '../../render/projects.js';
import {terminalWidth} from '../../render/style.js';
import {stringArg} from '../../cli/args.js';
import {parseProjectTarget} from '../../client/targets.js';

export default class ProjectReload extends CapsuleCommand {
  static override summary = "Reload a project's capsule.toml and task modules.";
  static override description = 'The daemon also reloads a project by itself when its capsule.toml or entry files change.';
  static override examples = ['<%= config.bin %> project reload reports', '<%= config.bin %> project reload ./reports-copy'];
  static override args = {project: stringArg({required: true, description: 'Project namespace, or its directory written as a path (./shop, /srv/shop).'})};
  static override flags = {...autostartFlag};

  async run(): Promise<ProjectSummary> {
    const {args, flags} = await this.parse(ProjectReload);
    const project = await (await this.daemon(flags.autostart)).call('project.reload', parseProjectTarget(args.project));
    this.log(renderProjectTree([project], {width: terminalWidth(), paint: this.paint}));
    if (project.status === 'error' && project.error) throw CapsuleError.fromPayload(project.error);
    return project;
  }
}
