import {Args, Command} from '@oclif/core';
import {SHELLS, completionScript} from '../cli/completion/scripts.js';

export default class Completion extends Command {
  static override summary = 'Print the shell completion script for bash, zsh or fish.';
  static override description =
    'The script completes commands, flags, and the names the running daemon knows: projects, tasks, services, schedules and recent run ids. It never starts the daemon; without one, commands and flags still complete. The README says where each shell reads it from.';
  static override examples = [
    '<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/capsule',
    '<%= config.bin %> completion zsh > ~/.zfunc/_capsule',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/capsule.fish',
  ];
  static override args = {shell: Args.string({required: true, options: [...SHELLS], description: 'The shell: bash, zsh or fish.', ignoreStdin: true})};

  async run(): Promise<void> {
    const {args} = await this.parse(Completion);
    process.stdout.write(completionScript(args.shell as (typeof SHELLS)[number], this.config.bin));
  }
}
