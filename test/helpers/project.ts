import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';

/** Writes a project directory from a map of relative path → contents; returns its root. */
export async function makeProject(files: Record<string, string>, parent?: string): Promise<string> {
  const root = await mkdtemp(join(parent ?? tmpdir(), 'proj-'));
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), {recursive: true});
    await writeFile(join(root, path), contents);
  }
  return root;
}

export function projectToml(name: string, extra = ''): string {
  return `[project]\nname = "${name}"\nentry = ["tasks/*.ts"]\n${extra}`;
}
