import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {CapsuleError} from '../../lib/errors.js';
import type {ProjectSummary} from '../../protocol/index.js';
import {renderProjectTree} from '../../render/projects.js';
import {terminalWidth} from '../../render/style.js';
import {stringArg} from '../../cli/args.js';
import {projectDir} from '../../client/targets.js';

export default class ProjectAdd extends CapsuleCommand {
  static override summary = 'Register a project (a directory with a capsule.toml).';
  static override description = 'The project is remembered across daemon restarts. A project whose capsule.toml is invalid is still registered and listed with its error; fix the file and it reloads.';
  static override examples = ['<%= config.bin %> project add', '<%= config.bin %> project add ./reports'];
  static override args = {dir: stringArg({description: 'Project directory.', default: '.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<ProjectSummary> {
    const {args, flags} = await this.parse(this.constructor as typeof ProjectAdd);
    const client = await this.daemon(flags.autostart);
    const project = await client.call('project.add', {root: projectDir(args.dir)});
    this.log(renderProjectTree([project], {width: terminalWidth(), paint: this.paint}));
    if (project.status === 'error' && project.error) throw CapsuleError.fromPayload(project.error);
    return project;
  }
}
