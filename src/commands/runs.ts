import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {badInput} from '../lib/errors.js';
import {MAX_RUN_LIST, RUN_STATUSES, type RunListParams, type RunRecord, type RunStatus} from '../protocol/index.js';
import {renderRunTable} from '../render/runs.js';
import {terminalWidth} from '../render/style.js';
import {stringArg} from '../cli/args.js';
import {resolveTarget} from '../client/targets.js';


export default class Runs extends CapsuleCommand {
  static override summary = 'List recent runs, newest first.';
  static override examples = ['<%= config.bin %> runs', '<%= config.bin %> runs reports/build_report --status failed', '<%= config.bin %> runs reports --limit 50 --json'];
  static override args = {target: stringArg({description: 'NAMESPACE, NAMESPACE/TASK or TASK in its project.'})};
  static override flags = {
    status: Flags.string({char: 's', options: [...RUN_STATUSES], description: 'Only runs in this status.'}),
    limit: Flags.integer({char: 'n', default: 20, min: 1, max: MAX_RUN_LIST, description: 'How many runs.'}),
    ...autostartFlag,
  };

  async run(): Promise<{runs: RunRecord[]}> {
    const {args, flags} = await this.parse(Runs);
    const params: RunListParams = {limit: flags.limit};
    if (flags.status) params.status = flags.status as RunStatus;
    const client = await this.daemon(flags.autostart);
    if (args.target) {
      const [namespace, task, extra] = (await resolveTarget(client, args.target, ['task'], {namespaces: true})).split('/');
      if (!namespace || extra !== undefined) throw badInput(`expected NAMESPACE or NAMESPACE/TASK, got ${JSON.stringify(args.target)}`);
      params.namespace = namespace;
      if (task) params.task = task;
    }
    const result = await client.call('run.list', params);
    this.log(renderRunTable(result.runs, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}
