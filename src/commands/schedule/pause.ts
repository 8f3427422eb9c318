import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {resolveItemRef} from '../../client/targets.js';
import type {ScheduleSummary} from '../../protocol/index.js';
import {stringArg} from '../../cli/args.js';

/** `schedule pause` and `schedule resume` differ only in the method they call. */
function toggleCommand(method: 'schedule.pause' | 'schedule.resume', summary: string, verb: string): typeof CapsuleCommand {
  return class Toggle extends CapsuleCommand {
    static override summary = summary;
    static override examples = [`<%= config.bin %> schedule ${verb} reports/nightly`];
    static override args = {schedule: stringArg({required: true, description: 'NAMESPACE/SCHEDULE, or SCHEDULE in its project.'})};
    static override flags = {...autostartFlag};

    async run(): Promise<ScheduleSummary> {
      const {args, flags} = await this.parse(Toggle);
      const client = await this.daemon(flags.autostart);
      const ref = await resolveItemRef(client, args.schedule, 'schedule');
      const schedule = await client.call(method, ref);
      this.log(`${ref.namespace}/${ref.name} ${schedule.paused ? 'paused' : `resumed; next fire ${schedule.nextFireAt ?? '-'}`}`);
      return schedule;
    }
  };
}

export const SchedulePause = toggleCommand('schedule.pause', 'Pause a schedule (persists across restarts).', 'pause');
export const ScheduleResume = toggleCommand('schedule.resume', 'Resume a paused schedule.', 'resume');
export default SchedulePause;
