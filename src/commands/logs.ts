import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {connectionLost} from '../client/follow.js';
import {LogJoin} from '../client/log-join.js';
import {resolveItem} from '../client/targets.js';
import {isRunId, parseItemRef} from '../protocol/targets.js';
import {CapsuleError} from '../lib/errors.js';
import {isFinalRunStatus, type RunLogLine, type ServiceLogLine} from '../protocol/index.js';
import {renderLogLine} from '../render/runs.js';
import {renderServiceLogLine} from '../render/services.js';
import {stringArg} from '../cli/args.js';

export default class Logs extends CapsuleCommand {
  static override summary = "Print a run's log, a task's latest run's log, or a service's output.";
  static override examples = ['<%= config.bin %> logs run_01HZX3', '<%= config.bin %> logs reports/build_report -n 50', '<%= config.bin %> logs reports/api -f'];
  static override enableJsonFlag = false;
  static override args = {target: stringArg({required: true, description: 'Run id, NAMESPACE/TASK or NAMESPACE/SERVICE.'})};
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines (a run: until it ends; a service: until Ctrl-C).'}),
    lines: Flags.integer({char: 'n', default: 100, min: 0, description: 'How many of the last lines to print first.'}),
    ...autostartFlag,
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs);
    const client = await this.daemon(flags.autostart);
    const ref = isRunId(args.target) ? null : parseItemRef(args.target, 'task or service');
    const kind = ref ? await resolveItem(client, ref) : 'run';
    if (kind === 'schedule') throw new CapsuleError('bad_input', `${args.target} is a schedule; its runs' logs are under its task`, {hint: 'use `capsule logs NAMESPACE/TASK` or `capsule runs NAMESPACE/TASK`'});

    const done = new AbortController();
    process.once('SIGINT', () => done.abort());
    if (kind === 'service') {
      // A service of several instances: their logs interleaved, each numbered on its own.
      const join = new LogJoin<ServiceLogLine>(
        (line) => this.log(renderServiceLogLine(line, this.paint)),
        (line) => line.name,
      );
      client.onEvent((event, data) => {
        if (event === 'service.log') join.live(data);
      });
      join.tail((await client.call('service.logs', {namespace: ref!.namespace, name: ref!.name, tail: flags.lines, follow: flags.follow})).lines);
    } else {
      const target = ref ? {namespace: ref.namespace, task: ref.name} : {id: args.target};
      const join = new LogJoin<RunLogLine>((line) => this.log(renderLogLine(line, this.paint)));
      client.onEvent((event, data) => {
        if (event === 'run.log') join.live(data);
        // Its last lines came before it and are shown with the tail, or live just before.
        if (event === 'run.updated' && isFinalRunStatus(data.status)) done.abort();
      });
      const {runId, lines} = await client.call('run.logs', {...target, tail: flags.lines, follow: flags.follow});
      join.tail(lines);
      if (flags.follow && runId !== null) {
        const run = await client.call('run.get', {id: runId});
        if (isFinalRunStatus(run.status)) done.abort();
      }
    }
    if (!flags.follow) return;
    await new Promise<void>((resolve, reject) => {
      if (done.signal.aborted) resolve();
      done.signal.addEventListener('abort', () => resolve());
      const lost = () => reject(client.closeReason ?? connectionLost(kind === 'service' ? 'following the service log' : 'following the run log', isRunId(args.target) ? args.target : null));
      if (client.isClosed) lost();
      client.onClose(lost);
    });
  }
}
