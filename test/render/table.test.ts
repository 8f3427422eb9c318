import {describe, expect, it} from 'vitest';
import {painter, terminalWidth} from '../../src/render/style.js';
import {renderTable} from '../../src/render/table.js';
import {renderTree} from '../../src/render/tree.js';

const plain = painter(false);
const details = JSON.stringify({pid: 4242, cause: 'operator', forced: false, code: null, signal: 'SIGTERM', note: 'x'.repeat(80)});
const rows = [['2026-11-21 12:00:00', 'alice', 'service.stop', 'shop/api', details]];

describe('terminalWidth', () => {
  it('is unbounded when the output is not a terminal, however wide the process thinks it is', () => {
    expect(terminalWidth({isTTY: false, columns: 40})).toBe(Number.POSITIVE_INFINITY);
    expect(terminalWidth({isTTY: undefined as unknown as boolean, columns: undefined as unknown as number})).toBe(Number.POSITIVE_INFINITY);
  });

  it("is the terminal's own width on a terminal, wide or narrow", () => {
    expect(terminalWidth({isTTY: true, columns: 240})).toBe(240);
    expect(terminalWidth({isTTY: true, columns: 60})).toBe(60);
  });
});

describe('renderTable', () => {
  it('never cuts a cell when the width is unbounded (piped output)', () => {
    const table = renderTable(['TIME', 'ACTOR', 'KIND', 'TARGET', 'DETAILS'], rows, {width: terminalWidth({isTTY: false, columns: 80}), paint: plain});
    expect(table.split('\n')[1]).toContain(details);
    expect(table).not.toContain('…');
  });

  it('uses all of a wide terminal before cutting the last column', () => {
    const table = renderTable(['TIME', 'ACTOR', 'KIND', 'TARGET', 'DETAILS'], rows, {width: 300, paint: plain});
    expect(table.split('\n')[1]).toContain(details);
  });

  it('cuts the last column to a narrow terminal, so no line wraps', () => {
    const lines = renderTable(['TIME', 'ACTOR', 'KIND', 'TARGET', 'DETAILS'], rows, {width: 100, paint: plain}).split('\n');
    expect(lines[1]).toHaveLength(100);
    expect(lines[1]!.endsWith('…')).toBe(true);
  });
});

describe('renderTree', () => {
  it('keeps every fact of a long line when the width is unbounded', () => {
    const facts = ['running', 'pid 4242', 'up 3h', 'x'.repeat(200)];
    const line = renderTree([{label: 'api', glyph: '●', tone: 'green', facts, children: []}], {width: Number.POSITIVE_INFINITY, paint: plain});
    for (const fact of facts) expect(line).toContain(fact);
  });
});
