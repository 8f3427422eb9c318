import {mkdir, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {WATCH_DEBOUNCE_MS} from '../../../daemon/supervisor/watch-trigger.js';
import {fixture, Harness, isAlive, NODE, service, waitFor} from './harness.js';

describe('watch, with real files and processes', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.create();
    await mkdir(join(h.dir, 'src'));
  });

  afterEach(async () => {
    await h.close();
  });

  const watched = () => service({command: [NODE, fixture('sleeper.js')], watch: ['src']});
  /** How many of web's watchers said they were ready, in its log (kept across its removals). */
  const readyWatchers = async () => (await h.logText('app', 'web')).split('a change restarts the service').length - 1;

  it('never starts a removed service for a change seen just before its removal', {timeout: 120_000}, async () => {
    const supervisor = h.supervisor();
    // The removal lands at every point around the end of the debounce: before the restart is
    // decided, while it waits behind the stop in the unit's queue, and after it began.
    for (let delay = WATCH_DEBOUNCE_MS - 60; delay <= WATCH_DEBOUNCE_MS + 100; delay += 10) {
      const watchers = await readyWatchers();
      await supervisor.setProjectServices('app', h.dir, {web: watched()});
      const {pid} = await waitFor('web to run', () => {
        const snapshot = supervisor.snapshot('app', 'web');
        return snapshot.state === 'running' ? snapshot : null;
      });
      await waitFor('its watcher to be ready', async () => (await readyWatchers()) > watchers);
      const from = h.events.length;

      await writeFile(join(h.dir, 'src', 'app.js'), `delay ${delay}`);
      await sleep(delay);
      await supervisor.setProjectServices('app', h.dir, {});
      await sleep(3 * WATCH_DEBOUNCE_MS);

      const events = h.events.slice(from).filter((event) => event.target === 'app/web');
      const removal = events.findIndex((event) => event.kind === 'stop' && event.details.cause === 'removed');
      expect(removal, `delay ${delay}: ${JSON.stringify(events)}`).toBeGreaterThanOrEqual(0);
      expect(events.slice(removal).filter((event) => event.kind === 'start'), `delay ${delay}`).toEqual([]);
      expect(await isAlive(pid!)).toBe(false);
      for (const event of events.filter((event) => event.kind === 'start')) expect(await isAlive(event.details.pid as number), `delay ${delay}`).toBe(false);
    }
  });

  it('never restarts for the daemon\'s home or the project\'s capsule.toml, even with watch = true', {timeout: 60_000}, async () => {
    // The harness keeps service logs in the project's directory, as a daemon whose home is inside the project would.
    const supervisor = h.supervisor({unwatched: [h.logsDir]});
    await supervisor.setProjectServices('app', h.dir, {web: service({command: [NODE, fixture('sleeper.js')], watch: true})});
    await waitFor('web to run', () => supervisor.snapshot('app', 'web').state === 'running');
    await waitFor('its watcher to be ready', async () => (await readyWatchers()) === 1);

    // What a daemon writes at every restart (its log lines), and what the project watcher reloads the project for.
    await writeFile(join(h.logsDir, 'state.json'), '{}');
    await writeFile(join(h.dir, 'capsule.toml'), '[project]\nname = "app"\n');
    // As in the e2e tests: only waiting shows that nothing happens; a longer wait cannot fail a correct supervisor.
    await sleep(5 * WATCH_DEBOUNCE_MS);
    expect(supervisor.snapshot('app', 'web').restarts).toBe(0);

    await writeFile(join(h.dir, 'src', 'app.js'), 'changed');
    await waitFor('web to restart for src/app.js', () => supervisor.snapshot('app', 'web').restarts === 1);
    expect(h.eventsOf('restart').map((event) => event.details.files)).toEqual([['src/app.js']]);
  });
});
