import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import type {ScheduleSummary} from '../protocol/index.js';
import {renderScheduleTable} from '../render/schedules.js';
import {terminalWidth} from '../render/style.js';
import {stringArg} from '../cli/args.js';

export default class Schedules extends CapsuleCommand {
  static override summary = 'List schedules: cron, zone, next and last fire, last run, skipped fires.';
  static override examples = ['<%= config.bin %> schedules', '<%= config.bin %> schedules reports --json'];
  static override args = {namespace: stringArg({description: 'Only this project.'})};
  static override flags = {...autostartFlag};

  async run(): Promise<{schedules: (ScheduleSummary & {namespace: string})[]}> {
    const {args, flags} = await this.parse(Schedules);
    const result = await (await this.daemon(flags.autostart)).call('schedule.list', args.namespace === undefined ? {} : {namespace: args.namespace});
    this.log(renderScheduleTable(result.schedules, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}
