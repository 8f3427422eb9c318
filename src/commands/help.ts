import {Command, loadHelpClass} from '@oclif/core';
import {stringArg} from '../cli/args.js';
import {namesCommand, renderUnknownCommand, unknownCommand} from '../cli/unknown-command.js';

export default class HelpCommand extends Command {
  static override summary = 'Show help for capsule or one of its commands.';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help daemon start'];
  static override strict = false;
  static override args = {command: stringArg({description: 'Command to show help for.'})};

  async run(): Promise<void> {
    const {argv} = await this.parse(HelpCommand);
    const words = (argv as string[]).filter((word) => !word.startsWith('-'));
    const ids = this.config.commands.filter((command) => !command.hidden).map((command) => command.id);
    if (words.length > 0 && !namesCommand(words, ids)) {
      // As the command line itself would be answered: `capsule help sevices` means `capsule sevices`.
      process.stderr.write(renderUnknownCommand(this.config.bin, unknownCommand(words, ids)));
      this.exit(2);
    }
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(argv as string[]);
  }
}
