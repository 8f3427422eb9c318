import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {resolveItemRef} from '../../client/targets.js';
import {stringArg} from '../../cli/args.js';

export default class ScheduleTrigger extends CapsuleCommand {
  static override summary = 'Submit a run of a schedule now, whatever its cron, pause and overlap policy say.';
  static override examples = ['<%= config.bin %> schedule trigger reports/nightly'];
  static override args = {schedule: stringArg({required: true, description: 'NAMESPACE/SCHEDULE, or SCHEDULE in its project.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{runId: string | null; skipped: boolean}> {
    const {args, flags} = await this.parse(ScheduleTrigger);
    const client = await this.daemon(flags.autostart);
    const ref = await resolveItemRef(client, args.schedule, 'schedule');
    const result = await client.call('schedule.trigger', ref);
    this.log(`${ref.namespace}/${ref.name}: submitted ${result.runId}`);
    return result;
  }
}
