import {access, cp, mkdir, readdir, readFile, writeFile} from 'node:fs/promises';
import {basename, join, relative, resolve} from 'node:path';
import {CapsuleError} from '../lib/errors.js';
import {didYouMean} from '../lib/suggest.js';
import {packageRoot} from '../lib/package-root.js';

export interface InitResult {
  root: string;
  namespace: string;
  template: string;
  files: string[];
}

export async function templateNames(): Promise<string[]> {
  const entries = await readdir(join(packageRoot(), 'templates'), {withFileTypes: true});
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

/**
 * Copies a template into `dir`, names the project after the directory and points the
 * editor's tsconfig at this capsule install. Refuses to overwrite unless `force`.
 */
export async function initProject(dir: string, options: {template: string; force: boolean}): Promise<InitResult> {
  const root = resolve(dir);
  const templates = await templateNames();
  if (!templates.includes(options.template)) {
    const suggestion = didYouMean(options.template, templates);
    throw new CapsuleError('bad_input', `unknown template "${options.template}"`, {hint: suggestion ? `did you mean "${suggestion}"?` : `choose one of: ${templates.join(', ')}`});
  }
  const source = join(packageRoot(), 'templates', options.template);
  const files = await listFiles(source);
  if (!options.force) {
    const existing = [];
    for (const file of files) if (await exists(join(root, file))) existing.push(file);
    if (existing.length > 0) {
      throw new CapsuleError('bad_input', `${root} already has ${existing.join(', ')}`, {hint: 'pass --force to overwrite them, or choose another directory'});
    }
  }
  await mkdir(root, {recursive: true});
  await cp(source, root, {recursive: true, force: true});

  const namespace = namespaceFor(root);
  const toml = join(root, 'capsule.toml');
  await writeFile(toml, (await readFile(toml, 'utf8')).replace(/^name = ".*"$/m, `name = "${namespace}"`));
  const tsconfig = join(root, 'tsconfig.json');
  if (await exists(tsconfig)) {
    const sdk = (file: string) => join(packageRoot(), file);
    const config = JSON.parse(await readFile(tsconfig, 'utf8')) as {compilerOptions: {paths: Record<string, string[]>}};
    config.compilerOptions.paths = {capsule: [sdk('src/sdk/index.ts')], 'capsule/client': [sdk('src/client/public.ts')]};
    await writeFile(tsconfig, `${JSON.stringify(config, null, 2)}\n`);
  }
  return {root, namespace, template: options.template, files};
}

/** The directory's name made into a valid namespace: "My Reports" → "my-reports". */
export function namespaceFor(root: string): string {
  const name = basename(root).toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '');
  return name === '' ? 'project' : name;
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path, base)));
    else files.push(relative(base, path));
  }
  return files.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
