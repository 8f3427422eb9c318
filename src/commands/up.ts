import {Args} from '@oclif/core';
import {resolve} from 'node:path';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {CapsuleError} from '../lib/errors.js';
import type {ProjectSummary} from '../protocol/index.js';
import {renderProjectTree} from '../render/projects.js';
import {terminalWidth} from '../render/style.js';

export default class Up extends CapsuleCommand {
  static override summary = 'Start the daemon if needed, register a project and show it.';
  static override examples = ['<%= config.bin %> up', '<%= config.bin %> up templates/basic'];
  static override args = {dir: Args.string({description: 'Project directory.', default: '.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<ProjectSummary> {
    const {args, flags} = await this.parse(Up);
    const client = await this.daemon(flags.autostart);
    const project = await client.call('project.add', {root: resolve(args.dir)});
    this.log(renderProjectTree([project], {width: terminalWidth(), paint: this.paint}));
    if (project.status === 'error' && project.error) throw CapsuleError.fromPayload(project.error);
    return project;
  }
}
