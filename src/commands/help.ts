import {Command, loadHelpClass} from '@oclif/core';
import {stringArg} from '../cli/args.js';

export default class HelpCommand extends Command {
  static override summary = 'Show help for capsule or one of its commands.';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help daemon start'];
  static override strict = false;
  static override args = {command: stringArg({description: 'Command to show help for.'})};

  async run(): Promise<void> {
    const {argv} = await this.parse(HelpCommand);
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(argv as string[]);
  }
}
