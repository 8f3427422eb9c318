import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {parseItemRef} from '../../protocol/targets.js';
import {stringArg} from '../../cli/args.js';

export default class ScheduleTrigger extends CapsuleCommand {
  static override summary = 'Submit a run of a schedule now, whatever its cron, pause and overlap policy say.';
  static override examples = ['<%= config.bin %> schedule trigger reports/nightly'];
  static override args = {schedule: stringArg({required: true, description: 'NAMESPACE/SCHEDULE.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{runId: string | null; skipped: boolean}> {
    const {args, flags} = await this.parse(ScheduleTrigger);
    const result = await (await this.daemon(flags.autostart)).call('schedule.trigger', parseItemRef(args.schedule, 'schedule'));
    this.log(`${args.schedule}: submitted ${result.runId}`);
    return result;
  }
}
