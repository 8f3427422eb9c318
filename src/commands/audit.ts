import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {parseDuration} from '../lib/duration.js';
import type {AuditEvent} from '../protocol/index.js';
import {terminalWidth} from '../render/style.js';
import {renderTable} from '../render/table.js';
import {stringArg} from '../cli/args.js';
import {resolveTarget} from '../client/targets.js';

export default class Audit extends CapsuleCommand {
  static override summary = 'Show the audit trail: starts, stops, crashes, restarts, health and config changes, actions, schedule fires.';
  static override examples = ['<%= config.bin %> audit', '<%= config.bin %> audit reports/api --since 1h', '<%= config.bin %> audit reports --json'];
  static override args = {target: stringArg({description: 'NAMESPACE, NAMESPACE/NAME or NAME in its project.'})};
  static override flags = {
    since: Flags.string({description: 'Only events newer than this (e.g. 30m, 1h, 2d).'}),
    limit: Flags.integer({char: 'n', default: 100, min: 1, max: 5000, description: 'At most this many (newest).'}),
    ...autostartFlag,
  };

  async run(): Promise<{events: AuditEvent[]}> {
    const {args, flags} = await this.parse(Audit);
    const params: {target?: string; sinceMs?: number; limit: number} = {limit: flags.limit};
    if (flags.since) params.sinceMs = parseDuration(flags.since, '--since');
    const client = await this.daemon(flags.autostart);
    if (args.target) params.target = await resolveTarget(client, args.target, ['service', 'task', 'schedule'], {namespaces: true});
    const result = await client.call('audit.list', params);
    const rows = result.events.map((event) => [event.time.replace('T', ' ').slice(0, 19), event.actor, event.kind, event.target, JSON.stringify(event.details)]);
    this.log(rows.length === 0 ? 'no audit events' : renderTable(['TIME', 'ACTOR', 'KIND', 'TARGET', 'DETAILS'], rows, {width: terminalWidth(), paint: this.paint}));
    return result;
  }
}
