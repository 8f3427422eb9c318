import {Flags} from '@oclif/core';
import {CapsuleCommand} from '../cli/base.js';
import {initProject, type InitResult} from '../scaffold/init.js';
import {stringArg} from '../cli/args.js';

export default class Init extends CapsuleCommand {
  static override summary = 'Create a working project from a template.';
  static override description = 'Writes capsule.toml, example tasks and a tsconfig.json that gives your editor the types of `capsule`. Nothing is installed in the project.';
  static override examples = ['<%= config.bin %> init reports', '<%= config.bin %> init . --template basic --force'];
  static override args = {dir: stringArg({description: 'Directory to create the project in.', default: '.'})};
  static override flags = {
    template: Flags.string({char: 't', default: 'basic', description: 'Template name (a folder of templates/).'}),
    force: Flags.boolean({description: 'Overwrite files that already exist.'}),
  };

  async run(): Promise<InitResult> {
    const {args, flags} = await this.parse(Init);
    const result = await initProject(args.dir, {template: flags.template, force: flags.force});
    this.log(`created project "${result.namespace}" in ${result.root} from template ${result.template}:`);
    for (const file of result.files) this.log(`  ${file}`);
    this.log(`\nnext: capsule up ${args.dir}`);
    return result;
  }
}
