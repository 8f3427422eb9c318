import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import type {ProjectSummary} from '../../protocol/index.js';
import {renderProjectList} from '../../render/projects.js';
import {terminalWidth} from '../../render/style.js';

export default class ProjectList extends CapsuleCommand {
  static override summary = 'List registered projects.';
  static override examples = ['<%= config.bin %> project list', '<%= config.bin %> project list --json'];
  static override flags = {...autostartFlag};

  async run(): Promise<{projects: ProjectSummary[]}> {
    const {flags} = await this.parse(ProjectList);
    const result = await (await this.daemon(flags.autostart)).call('project.list', {});
    this.log(renderProjectList(result.projects, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}
