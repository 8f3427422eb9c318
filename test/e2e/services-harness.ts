/**
 * End-to-end support for services: a TestHome with projects declaring services, typed reads of
 * `capsule services --json` and `capsule audit --json`, and a final sweep that kills (and
 * reports) any process the home's daemon started and left behind: each carries the home's
 * socket in its environment (CAPSULE_AGENT_SOCKET).
 */
import {readdirSync, readFileSync} from 'node:fs';
import {rm} from 'node:fs/promises';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect} from 'vitest';
import {AGENT_ENVIRONMENT} from '../../src/protocol/index.js';
import type {AuditEvent, ServiceSummary} from '../../src/protocol/index.js';
import {TestHome, waitFor, type CliResult} from '../helpers/cli.js';
import {makeProject} from '../helpers/project.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/services/', import.meta.url));
export const NODE = process.execPath;
export type Service = ServiceSummary & {namespace: string};

/** A TOML string literal. */
export function toml(value: string): string {
  return JSON.stringify(value);
}

/** `command = [...]` running a fixture with node. */
export function fixtureCommand(name: string, ...args: string[]): string {
  return `command = ${JSON.stringify([NODE, `${FIXTURES}${name}`, ...args])}`;
}

export class ServicesHome {
  private readonly roots: string[] = [];

  private constructor(readonly home: TestHome) {}

  static async create(): Promise<ServicesHome> {
    return new ServicesHome(await TestHome.create());
  }

  run(args: string[]): Promise<CliResult> {
    return this.home.run(args);
  }

  /** Runs a command that must succeed, and returns what it printed. */
  async ok(args: string[]): Promise<string> {
    const result = await this.home.run(args);
    if (result.code !== 0) throw new Error(`capsule ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    return result.stdout;
  }

  /** Writes a project (capsule.toml from `body`, plus `files`) and registers it. */
  async project(namespace: string, body: string, files: Record<string, string> = {}): Promise<string> {
    const root = await makeProject({'capsule.toml': `[project]\nname = "${namespace}"\n\n${body}`, ...files});
    this.roots.push(root);
    await this.ok(['project', 'add', root]);
    return root;
  }

  async services(namespace?: string): Promise<Service[]> {
    const {services} = await this.home.json<{services: Service[]}>(namespace === undefined ? ['services'] : ['services', namespace]);
    return services;
  }

  async service(target: string): Promise<Service> {
    const [namespace, name] = target.split('/');
    const service = (await this.services(namespace)).find((candidate) => candidate.name === name);
    if (!service) throw new Error(`capsule services ${namespace} does not list ${name}`);
    return service;
  }

  /** Polls `capsule services` until `check` holds for the service. */
  waitForService(target: string, check: (service: Service) => boolean, what: string, timeoutMs = 20_000): Promise<Service> {
    return waitFor(async () => {
      const service = await this.service(target);
      return check(service) ? service : null;
    }, {timeoutMs, intervalMs: 100, what: `${target} ${what}`});
  }

  async audit(target?: string, extra: string[] = []): Promise<AuditEvent[]> {
    const {events} = await this.home.json<{events: AuditEvent[]}>(['audit', ...(target === undefined ? [] : [target]), '--limit', '5000', ...extra]);
    return events;
  }

  /** Audit events of one kind for a target, oldest first. */
  async events(target: string, kind: string): Promise<AuditEvent[]> {
    return (await this.audit(target)).filter((event) => event.kind === kind);
  }

  /** Live processes started by this home's daemon: services, their children, probes, actions. */
  survivors(): number[] {
    const marker = `${AGENT_ENVIRONMENT.socket}=${join(this.home.home, 'run', 'daemon.sock')}\0`;
    return livePids().filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
  }

  /** Stops the daemon, kills whatever service process outlived it, removes every file. Fails the test if something survived. */
  async cleanup(): Promise<void> {
    await this.home.cleanup();
    const survivors = this.survivors();
    for (const pid of survivors) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    }
    await waitFor(() => survivors.every((pid) => !isRunning(pid)), {what: 'the left-over processes to die'});
    for (const root of this.roots.splice(0)) await rm(root, {recursive: true, force: true});
    expect(survivors, 'service processes left running after the daemon stopped').toEqual([]);
  }
}

/** Clock ticks since boot when the process started; null when it is gone or a zombie. */
export function startTimeOf(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : Number(fields[19]);
  } catch {
    return null;
  }
}

/** Alive and not a zombie. */
export function isRunning(pid: number): boolean {
  return startTimeOf(pid) !== null;
}

/** Live processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  return livePids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
    } catch {
      return false;
    }
  });
}

function livePids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && isRunning(pid));
}
