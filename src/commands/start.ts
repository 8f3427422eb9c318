import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {applyControl} from '../cli/control-command.js';
import {adhocRequest} from '../client/adhoc-command.js';
import {badInput} from '../lib/errors.js';
import type {ControlResult, ProjectService} from '../protocol/index.js';
import {renderAdhocStarted} from '../render/describe.js';

type AdhocStarted = {kind: 'adhoc'; target: string; created: boolean; file: string; message: string; services: ProjectService[]};

export default class Start extends CapsuleCommand {
  static override summary = 'Start a service or resume a paused schedule; with -- CMD, supervise a command as an ad-hoc service.';
  static override description = [
    'TARGET is NAMESPACE/NAME (a service or schedule; inside a project, NAME alone), or a NAMESPACE for all of its services.',
    'With `-- CMD ARGS...`, CMD becomes a service of the "adhoc" project, which the daemon keeps in CAPSULE_HOME/adhoc/capsule.toml:',
    'listed, logged and restarted like any other service, and started again with the daemon. Its name is --name, else the script or program name.',
    'The same name with the same command starts it if it is down; with another command it is refused (delete it first).',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> start reports/api',
    '<%= config.bin %> start reports/nightly',
    '<%= config.bin %> start reports',
    '<%= config.bin %> start --name web -- python3 -m http.server 8000',
    '<%= config.bin %> start --name api --restart always --env PORT=8080 --health http://127.0.0.1:8080/health -- node server.js',
  ];
  static override args = {target: stringArg({required: false, description: 'NAMESPACE/NAME, NAME in its project, or NAMESPACE (without -- CMD).'})};
  static override flags = {
    name: Flags.string({description: 'Name of the ad-hoc service (with -- CMD); default: the script or program name.'}),
    restart: Flags.string({description: 'Restart policy of the ad-hoc service: always, on-failure (default) or never.'}),
    cwd: Flags.string({description: 'Working directory of the ad-hoc service (default: the current directory).'}),
    env: Flags.string({multiple: true, description: 'An environment variable KEY=VALUE of the ad-hoc service (repeatable).'}),
    health: Flags.string({description: 'An http:// URL probed for the ad-hoc service\'s health.'}),
    ...autostartFlag,
  };
  // What follows `--` is the command, with its own flags.
  static override strict = false;

  async run(): Promise<ControlResult | AdhocStarted> {
    const {args, flags, argv} = await this.parse(Start);
    const separator = this.argv.indexOf('--');
    const adhocFlags = (['name', 'restart', 'cwd', 'health'] as const).filter((flag) => flags[flag] !== undefined).map((flag) => `--${flag}`);
    const env = flags.env ?? [];
    if (env.length > 0) adhocFlags.push('--env');
    if (separator === -1) {
      if (adhocFlags.length > 0) throw badInput(`${adhocFlags.join(', ')} ${adhocFlags.length === 1 ? 'needs' : 'need'} a command after --`, 'for example `capsule start --name web -- python3 -m http.server 8000`');
      if (args.target === undefined) throw badInput('expected a TARGET, or a command after --', 'for example `capsule start reports/api`, or `capsule start --name web -- python3 -m http.server 8000`');
      if (argv.length > 1) throw badInput(`unexpected arguments after ${args.target}: ${argv.slice(1).join(' ')}`, 'to supervise a command, put it after --: `capsule start --name web -- CMD ARGS...`');
      const result = await applyControl(await this.daemon(flags.autostart), 'start', args.target);
      this.log(result.message);
      return result;
    }
    if (this.argv.slice(0, separator).some((arg) => !arg.startsWith('-') && !isFlagValue(this.argv, arg))) {
      throw badInput('a TARGET and a command after -- cannot be given together', 'start a declared service with `capsule start NAMESPACE/NAME`, or a command with `capsule start --name NAME -- CMD`');
    }
    const request = adhocRequest(this.argv.slice(separator + 1), {...flags, env}, {cwd: process.cwd(), path: process.env.PATH});
    const client = await this.daemon(flags.autostart);
    const {derivedName, ...params} = request;
    const result = await client.call('service.create', params);
    const message = renderAdhocStarted(request.name, result, derivedName);
    this.log(message);
    return {kind: 'adhoc', target: `adhoc/${request.name}`, created: result.created, file: result.file, message, services: result.services};
  }
}

/** Whether `arg` is the value of the flag just before it (`--name web`), rather than a TARGET. */
function isFlagValue(argv: string[], arg: string): boolean {
  const index = argv.indexOf(arg);
  const before = argv[index - 1];
  return before !== undefined && before.startsWith('--') && !before.includes('=') && before !== '--autostart' && before !== '--no-autostart' && before !== '--json';
}
