import {describe, expect, it} from 'vitest';
import {MAX_NAMED_CHANGES, WATCH_DEBOUNCE_MS, WatchTrigger, type WatchBurst} from '../../../daemon/supervisor/watch-trigger.js';
import {FakeClock} from '../core/fake-clock.js';

/** A trigger whose restarts are recorded and end only when the test says so. */
function harness() {
  const clock = new FakeClock();
  const bursts: WatchBurst[] = [];
  const pending: (() => void)[] = [];
  const trigger = new WatchTrigger(clock, (burst) => {
    bursts.push(burst);
    return new Promise<void>((resolve) => pending.push(resolve));
  });
  /** Ends the restart under way and lets its continuation run. */
  const finishRestart = async () => {
    pending.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {clock, bursts, trigger, finishRestart};
}

describe('WatchTrigger', () => {
  it('restarts once for a burst of changes, after the quiet spell that follows the last', () => {
    const {clock, bursts, trigger} = harness();
    for (let i = 0; i < 10; i++) {
      trigger.changed(i % 2 === 0 ? 'src/a.js' : 'src/b.js');
      clock.advance(10);
    }
    clock.advance(WATCH_DEBOUNCE_MS - 11);
    expect(bursts).toEqual([]);
    clock.advance(1);
    expect(bursts).toEqual([{files: ['src/a.js', 'src/b.js'], changes: 10}]);
    clock.advance(10 * WATCH_DEBOUNCE_MS);
    expect(bursts).toHaveLength(1);
  });

  it('waits as long as changes keep coming less than the debounce apart', () => {
    const {clock, bursts, trigger} = harness();
    for (let i = 0; i < 50; i++) {
      trigger.changed('src/a.js');
      clock.advance(WATCH_DEBOUNCE_MS - 1);
    }
    expect(bursts).toEqual([]);
    clock.advance(1);
    expect(bursts).toHaveLength(1);
  });

  it('holds changes made during a restart, however many, for one more restart after it', async () => {
    const {clock, bursts, trigger, finishRestart} = harness();
    trigger.changed('src/a.js');
    clock.advance(WATCH_DEBOUNCE_MS);
    expect(bursts).toHaveLength(1);

    for (let burst = 0; burst < 5; burst++) {
      trigger.changed(`src/during-${burst}.js`);
      clock.advance(WATCH_DEBOUNCE_MS);
    }
    // Five bursts settled while the first restart was under way: none started a second one.
    expect(bursts).toHaveLength(1);
    await finishRestart();
    expect(bursts).toHaveLength(2);
    expect(bursts[1]).toEqual({files: ['src/during-0.js', 'src/during-1.js', 'src/during-2.js', 'src/during-3.js', 'src/during-4.js'], changes: 5});
    await finishRestart();
    clock.advance(10 * WATCH_DEBOUNCE_MS);
    expect(bursts).toHaveLength(2);
  });

  it('after a restart, lets a burst still arriving finish before the next one', async () => {
    const {clock, bursts, trigger, finishRestart} = harness();
    trigger.changed('a.js');
    clock.advance(WATCH_DEBOUNCE_MS);
    trigger.changed('b.js');
    await finishRestart();
    expect(bursts).toHaveLength(1);
    clock.advance(WATCH_DEBOUNCE_MS);
    expect(bursts.map((burst) => burst.files)).toEqual([['a.js'], ['b.js']]);
  });

  it('names at most MAX_NAMED_CHANGES paths and counts every change', () => {
    const {clock, bursts, trigger} = harness();
    for (let i = 0; i < 1000; i++) trigger.changed(`file-${i}.js`);
    clock.advance(WATCH_DEBOUNCE_MS);
    expect(bursts[0]!.files).toHaveLength(MAX_NAMED_CHANGES);
    expect(bursts[0]!.changes).toBe(1000);
  });

  it('starts nothing once closed, and leaves no timer', () => {
    const {clock, bursts, trigger} = harness();
    trigger.changed('a.js');
    trigger.close();
    expect(clock.pending).toBe(0);
    trigger.changed('b.js');
    clock.advance(10 * WATCH_DEBOUNCE_MS);
    expect(bursts).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
