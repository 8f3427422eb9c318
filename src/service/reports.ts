/** The health and metrics a service reports, and which of them the daemon has not been sent yet. */
import {CapsuleError} from '../lib/errors.js';
import {MAX_AGENT_METRICS, METRIC_NAME, type AgentHealth} from '../protocol/index.js';

export interface Report {
  health?: AgentHealth;
  metrics?: Record<string, number>;
}

export class Reports {
  private health: AgentHealth | null = null;
  private healthUnsent = false;
  private readonly metrics = new Map<string, number>();
  private readonly unsentMetrics = new Set<string>();

  setHealth(health: AgentHealth): void {
    this.health = health;
    this.healthUnsent = true;
  }

  setMetric(name: string, value: number): void {
    if (!METRIC_NAME.test(name)) throw new CapsuleError('bad_input', `invalid metric name ${JSON.stringify(name)}: expected letters, digits, _ . : - (at most 64, starting with a letter or _)`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new CapsuleError('bad_input', `metric ${name} must be a finite number, got ${String(value)}`);
    if (!this.metrics.has(name) && this.metrics.size >= MAX_AGENT_METRICS) {
      throw new CapsuleError('bad_input', `metric ${name} would be the ${MAX_AGENT_METRICS + 1}th: at most ${MAX_AGENT_METRICS} names are kept`, {hint: 'report fewer, aggregated metrics'});
    }
    this.metrics.set(name, value);
    this.unsentMetrics.add(name);
  }

  /** What the next heartbeat carries: only what changed since the last one. */
  take(): Report {
    const report: Report = {};
    if (this.healthUnsent && this.health) report.health = this.health;
    if (this.unsentMetrics.size > 0) report.metrics = Object.fromEntries([...this.unsentMetrics].map((name) => [name, this.metrics.get(name)!]));
    this.healthUnsent = false;
    this.unsentMetrics.clear();
    return report;
  }

  /** A new connection (or a lost heartbeat): the daemon may have seen none of it. */
  resendAll(): void {
    this.healthUnsent = this.health !== null;
    for (const name of this.metrics.keys()) this.unsentMetrics.add(name);
  }
}
