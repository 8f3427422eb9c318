import {cleanup} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {InputSplitter, PASTE_END, PASTE_START} from '../../tui/input.js';
import {FakeClient} from './helpers/fake-client.js';
import {KEY, inputLine, mount} from './helpers/mount.js';
import {handlersFor, makeWorld, run} from './helpers/world.js';

afterEach(() => cleanup());

describe('input splitting', () => {
  it('splits a run of characters into keys, keeps an escape sequence one key and a bracketed paste one text', () => {
    const splitter = new InputSplitter();
    expect(splitter.push('/web\r')).toEqual(['/', 'w', 'e', 'b', '\r'].map((text) => ({kind: 'key', text})));
    expect(splitter.push(KEY.up)).toEqual([{kind: 'key', text: KEY.up}]);
    expect(splitter.push('\u001B[1;5C')).toEqual([{kind: 'key', text: '\u001B[1;5C'}]);
    // Ink hands the markers over on their own, the text between them as it was read.
    expect(splitter.push(PASTE_START)).toEqual([]);
    expect(splitter.push('a\rb')).toEqual([]);
    expect(splitter.push(KEY.left)).toEqual([]);
    expect(splitter.push(PASTE_END)).toEqual([{kind: 'paste', text: `a\rb${KEY.left}`}]);
    expect(splitter.push(`${PASTE_START}x y${PASTE_END}q`)).toEqual([{kind: 'paste', text: 'x y'}, {kind: 'key', text: 'q'}]);
  });
});

describe('keys arriving together', () => {
  it('a filter typed in one chunk (/ then worker⏎, as a paste or a fast typist over SSH sends it) selects the match and closes', async () => {
    const ui = mount(new FakeClient(handlersFor(makeWorld())));
    await ui.waitFor('worker');
    ui.stdin.write('/worker\r');
    await ui.waitFor((text) => text.includes('Service reports/worker') && !text.includes('Filter the tree'));
    // An arrow key in the same chunk as letters stays an arrow: down from the project's first task.
    ui.stdin.write(`/${KEY.ctrlU}reports\r${KEY.down}`);
    await ui.waitFor((text) => text.includes('Task reports/cleanup') && !text.includes('Filter the tree'));
  });

  it('hands every key of a chunk to the prompt the key before it opened, again and again', async () => {
    const world = makeWorld();
    const client = new FakeClient({...handlersFor(world), 'run.submit': ({input}) => run({id: 'run_new', status: 'queued', input})});
    const ui = mount(client);
    await ui.waitFor('worker');
    for (let round = 0; round < 10; round++) {
      const name = round % 2 === 0 ? 'worker' : 'api';
      if (round % 3 === 0) {
        // Two reads before any render: the second must still reach the filter.
        ui.stdin.write('/');
        ui.stdin.write(`${KEY.ctrlU}${name}\r`);
      } else {
        ui.stdin.write(`/${KEY.ctrlU}${name}\r`);
      }
      await ui.waitFor((text) => text.includes(`Service reports/${name}`) && !text.includes('Filter the tree'));
    }
    // A long run of characters into a prompt (it takes them together), then Enter.
    const note = 'x'.repeat(300);
    ui.stdin.write(`/${KEY.ctrlU}build\rt${KEY.ctrlU}{"id": 9, "note": "${note}"}\r`);
    await ui.waitFor('✓ submitted run_new');
    expect(client.callsOf('run.submit')).toEqual([{target: {namespace: 'reports', task: 'build_report'}, input: {id: 9, note}}]);
  });

  it('a bracketed paste goes into the prompt as text: its newlines do not submit, its markers are not typed', async () => {
    const client = new FakeClient({...handlersFor(makeWorld()), 'run.submit': ({input}) => run({id: 'run_pasted', status: 'queued', input})});
    const ui = mount(client);
    await ui.waitFor('worker');
    await ui.press('/', ...'build', KEY.enter, 't', KEY.ctrlU);
    await ui.waitFor('Run reports/build_report with input (JSON)');
    ui.stdin.write(`${PASTE_START}{"id":\r 10}${PASTE_END}`);
    const frame = await ui.waitFor((text) => inputLine(text).includes('10}'));
    expect(inputLine(frame)).toContain('{"id":  10}');
    expect(frame).not.toContain('[200~');
    expect(client.callsOf('run.submit')).toEqual([]);
    await ui.press(KEY.enter);
    await ui.waitFor('✓ submitted run_pasted');
    expect(client.callsOf('run.submit')).toEqual([{target: {namespace: 'reports', task: 'build_report'}, input: {id: 10}}]);
  });
});
