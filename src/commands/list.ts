import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import type {ProjectSummary} from '../protocol/index.js';
import {renderItemTable, renderProjectTree, renderSandboxNote} from '../render/projects.js';
import {terminalWidth} from '../render/style.js';
import {stringArg} from '../cli/args.js';

export default class List extends CapsuleCommand {
  static override summary = 'List projects with their tasks, schedules and services.';
  static override examples = ['<%= config.bin %> list --tree', '<%= config.bin %> list reports', '<%= config.bin %> list --json'];
  static override args = {namespace: stringArg({description: 'Only this project.'})};
  static override flags = {
    tree: Flags.boolean({char: 't', description: 'Show namespace → tasks / schedules / services as a tree.'}),
    ...autostartFlag,
  };

  async run(): Promise<{projects: ProjectSummary[]}> {
    const {args, flags} = await this.parse(List);
    const client = await this.daemon(flags.autostart);
    const result = await client.call('project.list', args.namespace === undefined ? {} : {namespace: args.namespace});
    const options = {width: terminalWidth(), paint: this.paint};
    this.log(flags.tree ? renderProjectTree(result.projects, options) : renderItemTable(result.projects, options));
    const note = renderSandboxNote(result.projects, result.sandbox, this.paint);
    if (note !== null) this.log(note);
    return result;
  }
}
