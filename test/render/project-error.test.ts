import {describe, expect, it} from 'vitest';
import {configInvalid} from '../../src/config/issues.js';
import {projectErrorHeadline, projectErrorLines} from '../../src/render/project-error.js';
import {buildRows, describeRow} from '../../tui/state/tree.js';
import {project} from './fixtures.js';

const file = '/srv/shop/capsule.toml';
const invalid = configInvalid(file, [
  {file, line: 22, column: 1, path: 'services.files.restart_policy', message: 'unknown key', suggestion: 'restart'},
  {file, line: 23, column: 1, path: 'services.files.retries', message: 'unknown key; expected one of command, restart', suggestion: null},
]).toPayload();
const broken = project({root: '/srv/shop', namespace: 'shop', status: 'error', error: invalid});

describe("a project's error in one line", () => {
  it('is the first issue with its place and key, the file relative to the project, and the count', () => {
    expect(projectErrorLines(broken)).toEqual([
      'capsule.toml:22:1 services.files.restart_policy: unknown key (did you mean "restart"?)',
      'capsule.toml:23:1 services.files.retries: unknown key; expected one of command, restart',
    ]);
    expect(projectErrorHeadline(broken)).toBe('1 of 2: capsule.toml:22:1 services.files.restart_policy: unknown key (did you mean "restart"?)');
    expect(projectErrorHeadline({...broken, error: {...invalid, details: {file, issues: [(invalid.details as {issues: unknown[]}).issues[0]]}}})).toBe(
      'capsule.toml:22:1 services.files.restart_policy: unknown key (did you mean "restart"?)',
    );
  });

  it("is an error's own message, line by line, when it has no issues", () => {
    const conflict = project({status: 'error', error: {code: 'conflict', message: 'namespace "shop" is already used by the project in /srv/shop'}});
    expect(projectErrorHeadline(conflict)).toBe('namespace "shop" is already used by the project in /srv/shop');
    const thrown = project({status: 'error', error: {code: 'internal', message: 'tasks/a.ts threw at import:\nReferenceError: x is not defined'}});
    expect(projectErrorHeadline(thrown)).toBe('tasks/a.ts threw at import:');
    expect(projectErrorLines(thrown)).toEqual(['tasks/a.ts threw at import:', 'ReferenceError: x is not defined']);
  });

  it("is what the dashboard's project row shows", () => {
    const [row] = buildRows([broken], {collapsed: new Set(), filter: ''});
    expect(describeRow(row!, null, 0)).toMatchObject({glyph: '✗', facts: ['error: 1 of 2: capsule.toml:22:1 services.files.restart_policy: unknown key (did you mean "restart"?)']});
  });
});
