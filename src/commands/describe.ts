import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {describeItem, type Description} from '../client/describe.js';
import {resolveTarget} from '../client/targets.js';
import {parseItemRef} from '../protocol/targets.js';
import {renderDescription} from '../render/describe.js';

export default class Describe extends CapsuleCommand {
  static override summary = 'Print everything known about one task, schedule or service, as pm2 describe does.';
  static override description = 'A service: its state, pids, uptime, restarts, command, cwd, env keys (never values), health probe, restart policy, config, dependencies, log files and recent events. A task: its file, limits, isolation, retries, schedules, run counts and recent runs. A schedule: cron, time zone, policies, next fires and last runs.';
  static override examples = ['<%= config.bin %> describe reports/api', '<%= config.bin %> describe reports/build_report', '<%= config.bin %> describe reports/nightly --json'];
  static override args = {target: stringArg({required: true, description: 'NAMESPACE/NAME, or NAME in its project.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<Description> {
    const {args, flags} = await this.parse(Describe);
    const client = await this.daemon(flags.autostart);
    const target = await resolveTarget(client, args.target, ['service', 'task', 'schedule'], {namespaces: false});
    const description = await describeItem(client, parseItemRef(target, 'service'));
    this.log(renderDescription(description, this.paint));
    return description;
  }
}
