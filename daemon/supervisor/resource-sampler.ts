/** Samples CPU and memory of every supervised process group at a modest rate, with one pass over /proc. */
import type {Clock} from '../core/clock.js';
import {listProcesses, pageBytes} from '../worker/procfs.js';
import {CLOCK_TICKS_PER_SECOND, type ProcStat} from './proc-stat.js';

export interface ResourceUsage {
  /** null on a group's first sample: CPU% needs two. */
  cpuPercent: number | null;
  rssBytes: number;
}

export interface SampledGroup {
  readonly pgid: number | null;
  reportUsage(usage: ResourceUsage): void;
}

/** How often usage is sampled unless the owner says otherwise. */
export const SAMPLE_INTERVAL_MS = 2_000;

/** CPU% over the time between two samples of a group's summed CPU ticks; a member that ended takes its ticks with it, hence the floor at 0. */
export function cpuPercent(previous: {ticks: number; at: number} | undefined, ticks: number, at: number): number | null {
  if (!previous || at <= previous.at) return null;
  const cpuMs = ((ticks - previous.ticks) / CLOCK_TICKS_PER_SECOND) * 1000;
  return Math.max(0, Math.round((cpuMs / (at - previous.at)) * 1000) / 10);
}

export class ResourceSampler {
  private cancel: (() => void) | null = null;
  private closed = false;
  private previous = new Map<number, {ticks: number; at: number}>();

  constructor(
    private readonly groups: () => Iterable<SampledGroup>,
    private readonly clock: Clock,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
  ) {}

  start(): void {
    this.cancel = this.clock.schedule(this.intervalMs, () => void this.tick());
  }

  close(): void {
    this.closed = true;
    this.cancel?.();
  }

  private async tick(): Promise<void> {
    const targets = [...this.groups()].filter((group): group is SampledGroup & {pgid: number} => group.pgid !== null);
    if (targets.length > 0) await this.sample(targets);
    if (!this.closed) this.cancel = this.clock.schedule(this.intervalMs, () => void this.tick());
  }

  private async sample(targets: Array<SampledGroup & {pgid: number}>): Promise<void> {
    const processes = await listProcesses();
    if (processes === null || this.closed) return;
    const at = this.clock.now();
    const members = new Map<number, ProcStat[]>();
    for (const stat of processes) {
      const group = members.get(stat.pgrp);
      if (group) group.push(stat);
      else members.set(stat.pgrp, [stat]);
    }
    const next = new Map<number, {ticks: number; at: number}>();
    for (const target of targets) {
      const group = members.get(target.pgid) ?? [];
      const ticks = group.reduce((sum, stat) => sum + stat.cpuTicks, 0);
      // From the same pass: reading each member's status file for its VmRSS doubled a pass's reads.
      const rssBytes = group.reduce((sum, stat) => sum + stat.rssPages, 0) * pageBytes();
      next.set(target.pgid, {ticks, at});
      target.reportUsage({cpuPercent: cpuPercent(this.previous.get(target.pgid), ticks, at), rssBytes});
    }
    this.previous = next;
  }
}
