import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {connectionLost} from '../client/follow.js';
import {LogJoin, serviceKey} from '../client/log-join.js';
import {resolveItem, resolveTarget} from '../client/targets.js';
import {isRunId, parseItemRef} from '../protocol/targets.js';
import {CapsuleError} from '../lib/errors.js';
import {formatSize} from '../lib/size.js';
import {isFinalRunStatus, type ItemRef, type RunLogLine, type ServiceLogLine, type ServiceLogPosition} from '../protocol/index.js';
import {renderLogLine} from '../render/runs.js';
import {renderServiceLogLine, renderTaggedServiceLogLine, serviceColours} from '../render/services.js';
import {stringArg} from '../cli/args.js';

export default class Logs extends CapsuleCommand {
  static override summary = "Print a run's log, a task's latest run's log, or services' output.";
  static override description =
    "With NAMESPACE, the output of all its services, interleaved by time and each line prefixed with its service, like `pm2 logs`; with no target, every project's services.";
  static override examples = [
    '<%= config.bin %> logs run_01HZX3',
    '<%= config.bin %> logs reports/build_report -n 50',
    '<%= config.bin %> logs reports/api -f',
    '<%= config.bin %> logs reports -f',
    '<%= config.bin %> logs -n 20',
    '<%= config.bin %> logs --flush reports/api',
  ];
  static override enableJsonFlag = false;
  static override args = {target: stringArg({description: "Run id, NAMESPACE/TASK, NAMESPACE/SERVICE, or NAMESPACE (all its services); none: every project's services."})};
  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines (a run: until it ends; services: until Ctrl-C).'}),
    lines: Flags.integer({char: 'n', default: 100, min: 0, description: 'How many of the last lines to print first (across all the services shown).'}),
    flush: Flags.boolean({description: "Empty the service's log (a NAMESPACE: each of its services'), rotated files too; the service keeps running and logging.", exclusive: ['follow']}),
    ...autostartFlag,
  };

  /** Only a service's log is the daemon's to empty: a run's log is part of the run's record, kept as long as the run. */
  private async flush(client: Client, target: string | undefined, kind: string, ref: ItemRef | null): Promise<void> {
    if (target === undefined) throw new CapsuleError('bad_input', '--flush needs a service or a namespace', {hint: 'name it: `capsule logs --flush NAMESPACE/SERVICE`, or `capsule logs --flush NAMESPACE` for all its services'});
    if (kind !== 'service' && kind !== 'services') {
      throw new CapsuleError('bad_input', `--flush empties a service's log; ${target} is ${kind === 'run' ? 'a run, whose log is kept with it' : `a ${kind}, whose runs keep their logs`}`, {
        hint: 'runs are removed with their logs by the run retention (see the README); name a service, or a namespace for all its services',
      });
    }
    const {flushed} = await client.call('service.logs.flush', ref === null ? {namespace: target} : {namespace: ref.namespace, name: ref.name});
    if (flushed.length === 0) this.logToStderr(`${target} declares no services`);
    for (const each of flushed) this.log(`flushed ${each.namespace}/${each.name} (${formatSize(each.bytes)})`);
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs);
    const client = await this.daemon(flags.autostart);
    const target = args.target === undefined ? undefined : await resolveTarget(client, args.target, ['service', 'task', 'schedule'], {namespaces: true});
    const many = target === undefined || (!isRunId(target) && !target.includes('/'));
    const ref = many || isRunId(target) ? null : parseItemRef(target, 'task or service');
    const kind = many ? 'services' : ref ? await resolveItem(client, ref) : 'run';
    if (flags.flush) return this.flush(client, target, kind, ref);
    if (kind === 'schedule') throw new CapsuleError('bad_input', `${target} is a schedule; its runs' logs are under its task`, {hint: 'use `capsule logs NAMESPACE/TASK` or `capsule runs NAMESPACE/TASK`'});

    const done = new AbortController();
    process.once('SIGINT', () => done.abort());
    if (kind === 'services') {
      const scope = target === undefined ? {} : {namespace: target};
      const {services} = await client.call('service.list', scope);
      if (services.length === 0) this.logToStderr(target === undefined ? 'no project declares a service' : `${target} declares no services`);
      // One project's services are told apart by name; every project's by namespace and name.
      const label = (service: ItemRef) => (target === undefined ? serviceKey(service) : service.name);
      const width = Math.max(0, ...services.map((service) => label(service).length));
      const colour = serviceColours(services);
      const join = new LogJoin<ServiceLogLine>((line) => this.log(renderTaggedServiceLogLine(line, {label: label(line), width, colour: colour(line)}, this.paint)), serviceKey);
      client.onEvent((event, data) => {
        if (event === 'service.log') join.live(data);
      });
      const {lines, readUpTo} = await client.call('service.logs', {...scope, tail: flags.lines, follow: flags.follow});
      join.tail(lines, positions(readUpTo));
    } else if (kind === 'service') {
      // A service of several instances: their logs interleaved, each numbered on its own.
      const join = new LogJoin<ServiceLogLine>((line) => this.log(renderServiceLogLine(line, this.paint)), serviceKey);
      client.onEvent((event, data) => {
        if (event === 'service.log') join.live(data);
      });
      const {lines, readUpTo} = await client.call('service.logs', {namespace: ref!.namespace, name: ref!.name, tail: flags.lines, follow: flags.follow});
      join.tail(lines, positions(readUpTo));
    } else {
      const run = ref ? {namespace: ref.namespace, task: ref.name} : {id: target!};
      const join = new LogJoin<RunLogLine>((line) => this.log(renderLogLine(line, this.paint)));
      client.onEvent((event, data) => {
        if (event === 'run.log') join.live(data);
        // Its last lines came before it and are shown with the tail, or live just before.
        if (event === 'run.updated' && isFinalRunStatus(data.status)) done.abort();
      });
      const {runId, lines} = await client.call('run.logs', {...run, tail: flags.lines, follow: flags.follow});
      join.tail(lines);
      if (flags.follow && runId !== null) {
        const record = await client.call('run.get', {id: runId});
        if (isFinalRunStatus(record.status)) done.abort();
      }
    }
    if (!flags.follow) return;
    await new Promise<void>((resolve, reject) => {
      if (done.signal.aborted) resolve();
      done.signal.addEventListener('abort', () => resolve());
      const what = kind === 'run' || kind === 'task' ? 'following the run log' : kind === 'service' ? 'following the service log' : "following the services' logs";
      const lost = () => reject(client.closeReason ?? connectionLost(what, target !== undefined && isRunId(target) ? target : null));
      if (client.isClosed) lost();
      client.onClose(lost);
    });
  }
}

type Client = Awaited<ReturnType<Logs['daemon']>>;

/** A single service's key is its own, so one map serves both forms. */
function positions(readUpTo: readonly ServiceLogPosition[]): Map<string, number> {
  return new Map(readUpTo.map((position) => [serviceKey(position), position.seq]));
}
