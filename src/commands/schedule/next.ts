import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {resolveItemRef} from '../../client/targets.js';
import {stringArg} from '../../cli/args.js';

export default class ScheduleNext extends CapsuleCommand {
  static override summary = "Print a schedule's next fire instants, in its zone and in UTC.";
  static override examples = ['<%= config.bin %> schedule next reports/nightly', '<%= config.bin %> schedule next reports/nightly -n 10'];
  static override args = {schedule: stringArg({required: true, description: 'NAMESPACE/SCHEDULE, or SCHEDULE in its project.'})};
  static override flags = {
    count: Flags.integer({char: 'n', default: 5, min: 1, max: 100, description: 'How many fires.'}),
    ...autostartFlag,
  };

  async run(): Promise<{timezone: string; fires: string[]}> {
    const {args, flags} = await this.parse(ScheduleNext);
    const client = await this.daemon(flags.autostart);
    const result = await client.call('schedule.next', {...(await resolveItemRef(client, args.schedule, 'schedule')), count: flags.count});
    const local = new Intl.DateTimeFormat('sv-SE', {timeZone: result.timezone, dateStyle: 'short', timeStyle: 'medium'});
    for (const fire of result.fires) this.log(`${local.format(new Date(fire))} ${result.timezone}   ${fire}`);
    return result;
  }
}
