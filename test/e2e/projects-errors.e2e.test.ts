import {describe, expect, it} from 'vitest';
import {TestHome, eachTestHome} from '../helpers/cli.js';
import {makeProject, projectToml} from '../helpers/project.js';

// Every list view shows why a project did not load: the first issue's place, key and message.

let home: TestHome;

eachTestHome((created) => {
  home = created;
});

/** Each line's start of the column headed `header`, which must be the same on every line. */
function columnStarts(table: string, header: string): number[] {
  const lines = table.trimEnd().split('\n');
  const at = lines[0]!.indexOf(header);
  expect(at).toBeGreaterThan(0);
  return lines.slice(1).map((line) => (line.length > at && line[at - 1] === ' ' && line[at] !== ' ' ? at : -1));
}

describe('a project with unknown keys in its capsule.toml', () => {
  it('is listed with its first issue and the count of issues in list, list --tree and project list', async () => {
    const good = await makeProject({'capsule.toml': projectToml('good')});
    const bad = await makeProject({'capsule.toml': projectToml('p', '[services.f]\ncommand = "sleep 100"\nrestart_policy = "always"\nretries = 3\n')});
    home.removeOnCleanup(good, bad);
    expect((await home.run(['project', 'add', good])).code).toBe(0);
    const added = await home.run(['project', 'add', bad]);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain(`${bad}/capsule.toml:6:1 services.f.restart_policy: unknown key (did you mean "restart"?)`);

    const first = 'capsule.toml:6:1 services.f.restart_policy: unknown key';
    const tree = await home.run(['list', '--tree']);
    // Cut at 100 columns (no terminal), after the suggestion's start.
    expect(tree.stdout).toContain(`✗ p  error: 1 of 2: ${first} (did you mean "restart"`);

    const table = await home.run(['list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^p +project +- +error +1 of 2: ${first.replaceAll('.', '\\.')}`, 'm'));
    // One line per row, the details of each starting under DETAILS.
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(columnStarts(table.stdout, 'DETAILS').every((start) => start > 0)).toBe(true);

    const projects = await home.run(['project', 'list']);
    expect(projects.code).toBe(0);
    const lines = projects.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^NAMESPACE +STATUS +T\/SCH\/SVC +ROOT +ERROR$/);
    const errorAt = lines[0]!.indexOf('ERROR');
    expect(lines[1]).toMatch(new RegExp(`^good +ok +0/0/0 +${good}$`));
    expect(lines[2]!.slice(0, errorAt).trimEnd()).toMatch(new RegExp(`^p +error +0/0/0 +${bad}$`));
    expect(lines[2]!.slice(errorAt)).toMatch(/^1 of 2: capsule\.toml:6:1 services\.f\.restart/);
  });
});
