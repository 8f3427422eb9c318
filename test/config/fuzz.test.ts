import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {parseProjectConfig} from '../../src/config/parse.js';
import {MAX_REPORTED_ISSUES} from '../../src/config/issues.js';
import {CapsuleError} from '../../src/lib/errors.js';
import {issuesOf} from './helpers.js';

// Mutated capsule.toml files, seeded so that a failure names the case that reproduces it. Every
// one must either load or be refused as config_invalid with placed, bounded issues: never crash
// the parser, the validator or the issue locator, which the daemon runs on every save.
const SEED = 0x5eed_c0de;
const CASES = 3_000;

const corpus = ['templates/basic/capsule.toml', 'test/fixtures/projects/e2e/capsule.toml', 'test/fixtures/projects/follow/capsule.toml', 'test/fixtures/projects/broken/capsule.toml'].map((file) => readFileSync(file, 'utf8'));
const TOKENS = ['[', ']', '[[', ']]', '{', '}', '"', "'", '"""', "'''", '=', '.', ',', '#', '\n', '\r\n', '\\', '\\u00', 'a.b.c', '"a.b"', '[[x]]', '[services.x]', 'x = 1', '1979-05-27T07:32:00Z', '0x1F', 'inf', 'nan', '-0', '1e400', 'true', '\u0000', '\u{1F600}', ' '];

/** mulberry32: small, fast, and the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function mutate(text: string, next: () => number): string {
  const at = () => Math.floor(next() * (text.length + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const rounds = 1 + Math.floor(next() * 4);
  for (let round = 0; round < rounds; round++) {
    const start = at();
    const end = Math.min(text.length, start + Math.floor(next() * 40));
    switch (Math.floor(next() * 7)) {
      case 0: // replace one character
        text = text.slice(0, start) + String.fromCharCode(32 + Math.floor(next() * 95)) + text.slice(start + 1);
        break;
      case 1: // delete a range
        text = text.slice(0, start) + text.slice(end);
        break;
      case 2: // insert a token
        text = text.slice(0, start) + pick(TOKENS) + text.slice(start);
        break;
      case 3: // duplicate a range
        text = text.slice(0, end) + text.slice(start, end) + text.slice(end);
        break;
      case 4: {
        // repeat a line many times
        const lines = text.split('\n');
        const line = pick(lines);
        lines.splice(Math.floor(next() * lines.length), 0, ...Array<string>(1 + Math.floor(next() * 200)).fill(line));
        text = lines.join('\n');
        break;
      }
      case 5: // swap two lines
      {
        const lines = text.split('\n');
        const a = Math.floor(next() * lines.length);
        const b = Math.floor(next() * lines.length);
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        text = lines.join('\n');
        break;
      }
      default: // a run of dots or brackets
        text = text.slice(0, start) + pick(['.a', '[', '{a=', '"']).repeat(1 + Math.floor(next() * 100)) + text.slice(start);
    }
  }
  return text;
}

describe(`${CASES} mutated capsule.toml files (seed ${SEED.toString(16)})`, () => {
  test('each loads or is refused with placed, bounded issues', () => {
    const next = random(SEED);
    const outcomes = {loaded: 0, refused: 0};
    for (let index = 0; index < CASES; index++) {
      const text = mutate(corpus[index % corpus.length]!, next);
      const lines = text.split('\n').length;
      let thrown: unknown;
      try {
        const config = parseProjectConfig(text, 'capsule.toml');
        expect(typeof config.project.name).toBe('string');
        outcomes.loaded++;
        continue;
      } catch (error) {
        thrown = error;
      }
      if (!(thrown instanceof CapsuleError) || thrown.code !== 'config_invalid') {
        throw new Error(`case ${index}: expected config_invalid, got ${String(thrown)}\n--- file ---\n${text.slice(0, 2_000)}`, {cause: thrown});
      }
      const issues = issuesOf(thrown);
      expect(issues.length, `case ${index}`).toBeGreaterThan(0);
      expect(issues.length, `case ${index}`).toBeLessThanOrEqual(MAX_REPORTED_ISSUES);
      for (const issue of issues) {
        expect(issue.message, `case ${index}`).not.toBe('');
        if (issue.line !== null) expect(issue.line, `case ${index}: ${issue.path}`).toBeLessThanOrEqual(lines);
        if (issue.column !== null) expect(issue.column, `case ${index}: ${issue.path}`).toBeGreaterThanOrEqual(1);
      }
      outcomes.refused++;
    }
    // The mutations must exercise both ways out, or the test says little.
    expect(outcomes.loaded).toBeGreaterThan(CASES / 20);
    expect(outcomes.refused).toBeGreaterThan(CASES / 2);
  });
});
