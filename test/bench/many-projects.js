// Issue 13's fleet: many projects registered in one CAPSULE_HOME, as a user who outgrew a
// handful would have them. Each has 3 tasks (one of them scheduled) and, when asked, one
// service. They are registered by writing state.json before the daemon starts, as 500
// `capsule project add` calls would have left it, so what is measured is the daemon's start.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

const TASKS = `import {task} from 'capsule';

export const ingest = task(async (input: {n?: number}) => ({n: (input.n ?? 0) + 1}));
export const report = task({schedule: '0 3 * * *'}, async () => 'ok');
export const cleanup = task({maxRetries: 1}, async () => null);
`;

const SERVICE = `
[services.web]
command = ["sh", "-c", "exec sleep 1000000"]
`;

/**
 * Writes `count` projects under `home`/fleet and a state.json registering them; returns their
 * namespaces. `services` adds one idle service to each.
 */
export function writeFleet(home, count, {services = false} = {}) {
  const namespaces = [];
  const projects = [];
  for (let index = 0; index < count; index++) {
    const namespace = `p${String(index).padStart(4, '0')}`;
    const root = join(home, 'fleet', namespace);
    mkdirSync(join(root, 'tasks'), {recursive: true});
    writeFileSync(join(root, 'capsule.toml'), `[project]\nname = "${namespace}"\nentry = ["tasks/*.ts"]\n${services ? SERVICE : ''}`);
    writeFileSync(join(root, 'tasks', 'jobs.ts'), TASKS);
    namespaces.push(namespace);
    projects.push({root, addedAt: new Date().toISOString()});
  }
  const state = {version: 1, projects, schedules: {}, services: {processes: [], config: {}, stoppedByOperator: []}};
  writeFileSync(join(home, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  return namespaces;
}
