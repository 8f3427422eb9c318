import {describe, expect, it} from 'vitest';
import {globToRegExp, mayHoldMatches, pathMatcher, staticPrefix} from '../../src/lib/glob.js';

describe('globToRegExp', () => {
  it.each([
    ['tasks/*.ts', 'tasks/a.ts', true],
    ['tasks/*.ts', 'tasks/sub/a.ts', false],
    ['tasks/*.ts', 'tasks/a.tsx', false],
    ['src/**/*.task.ts', 'src/a.task.ts', true],
    ['src/**/*.task.ts', 'src/x/y/a.task.ts', true],
    ['src/**/*.task.ts', 'other/a.task.ts', false],
    ['**/*.ts', 'a.ts', true],
    ['jobs/?.mjs', 'jobs/a.mjs', true],
    ['jobs/?.mjs', 'jobs/ab.mjs', false],
    ['{tasks,jobs}/*.{ts,mts}', 'jobs/x.mts', true],
    ['{tasks,jobs}/*.{ts,mts}', 'other/x.ts', false],
    ['main.ts', 'main.ts', true],
    ['main.ts', 'mainXts', false],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });
});

describe('globToRegExp refuses', () => {
  it('a brace that is never closed, naming the pattern', () => {
    expect(() => globToRegExp('src/*.{js,ts')).toThrow('a "{" in "src/*.{js,ts" is never closed');
  });
});

describe('staticPrefix', () => {
  it.each([
    ['tasks/*.ts', 'tasks'],
    ['src/**/x.ts', 'src'],
    ['main.ts', 'main.ts'],
    ['*.js', '.'],
    ['{a,b}/x', '.'],
  ])('%s → %s', (pattern, prefix) => {
    expect(staticPrefix(pattern)).toBe(prefix);
  });
});

describe('pathMatcher', () => {
  it('matches a file by any pattern', () => {
    const matches = pathMatcher(['src/**/*.js', 'config/*.json']);
    expect(matches('src/a.js')).toBe(true);
    expect(matches('src/deep/er/a.js')).toBe(true);
    expect(matches('config/app.json')).toBe(true);
    expect(matches('src/a.ts')).toBe(false);
    expect(matches('config/sub/app.json')).toBe(false);
  });

  it('covers what is under a directory a pattern names, and the directory of a trailing /**', () => {
    expect(pathMatcher(['src'])('src/deep/a.txt')).toBe(true);
    expect(pathMatcher(['src'])('srcx/a.txt')).toBe(false);
    const ignored = pathMatcher(['src/generated/**']);
    expect(ignored('src/generated')).toBe(true);
    expect(ignored('src/generated/a.js')).toBe(true);
    expect(ignored('src/generatedx/a.js')).toBe(false);
    expect(ignored('src')).toBe(false);
  });

  it('matches nothing without patterns', () => {
    expect(pathMatcher([])('a.js')).toBe(false);
  });
});

describe('mayHoldMatches', () => {
  it('looks only into directories on the way to, or inside, a pattern’s fixed prefix', () => {
    const patterns = ['src/app/**/*.js'];
    expect(mayHoldMatches(patterns, '')).toBe(true);
    expect(mayHoldMatches(patterns, 'src')).toBe(true);
    expect(mayHoldMatches(patterns, 'src/app')).toBe(true);
    expect(mayHoldMatches(patterns, 'src/app/deep')).toBe(true);
    expect(mayHoldMatches(patterns, 'src/other')).toBe(false);
    expect(mayHoldMatches(patterns, 'docs')).toBe(false);
  });

  it('looks everywhere for a pattern without a fixed prefix', () => {
    expect(mayHoldMatches(['**/*.js'], 'any/where')).toBe(true);
  });
});
