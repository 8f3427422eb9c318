// Temporary minimal loader until the config branch lands (same API).
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {parse} from 'smol-toml';
import {CapsuleError} from '../lib/errors.js';

export interface ConfigIssue {
  file: string;
  line: number | null;
  column: number | null;
  path: string;
  message: string;
  suggestion: string | null;
}
export interface TaskDefaults {
  computeMs: number;
  ramBytes: number;
  timeoutMs: number;
  maxRetries: number;
}
export interface ProjectConfig {
  file: string;
  root: string;
  project: {name: string; version: string | null; description: string | null; entry: string[]};
  defaults: TaskDefaults;
  schedules: Record<string, {task: string; cron: string; timezone?: string | null}>;
  services: Record<string, {command: string | string[]}>;
}
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export function parseProjectConfig(text: string, file: string): ProjectConfig {
  const data = parse(text) as Record<string, Record<string, unknown>>;
  const name = String(data.project?.name ?? '');
  if (!NAMESPACE_PATTERN.test(name)) throw new CapsuleError('config_invalid', `${file}: bad project name`);
  return {
    file,
    root: file.replace(/\/capsule\.toml$/, ''),
    project: {name, version: null, description: null, entry: ['tasks/*.ts']},
    defaults: {computeMs: 30000, ramBytes: 256 * 1024 * 1024, timeoutMs: 30000, maxRetries: 2},
    schedules: (data.schedules ?? {}) as ProjectConfig['schedules'],
    services: (data.services ?? {}) as ProjectConfig['services'],
  };
}
export async function loadProjectConfig(root: string): Promise<ProjectConfig> {
  const file = join(root, 'capsule.toml');
  return parseProjectConfig(await readFile(file, 'utf8'), file);
}
export function formatConfigIssues(issues: ConfigIssue[]): string {
  return issues.map((issue) => `${issue.file}:${issue.line ?? '?'}:${issue.column ?? '?'} ${issue.path}: ${issue.message}`).join('\n');
}
