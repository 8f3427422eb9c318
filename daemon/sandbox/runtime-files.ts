import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, realpathSync} from 'node:fs';
import {dirname, join} from 'node:path';

export interface NodeRuntime {
  /** The binary, canonical. */
  node: string;
  /** It, and every file it needs to start, each at the path the dynamic linker opens it by. */
  files: string[];
}

/**
 * What the Node runtime needs to start inside a sandbox: its binary, its dynamic linker and
 * shared libraries, so the sandbox sees those files and not the directories around them. The
 * paths are `ldd`'s (what the linker opens, symlinks and all: /lib64/ld-linux-x86-64.so.2 on a
 * merged /usr), with what this process has mapped added for a libc without `ldd`.
 */
export function nodeRuntime(): NodeRuntime {
  const node = realpathSync(process.execPath);
  const files = new Set<string>([node, ...linkedBy(node), ...mappedLibraries()]);
  if (existsSync('/etc/ld.so.cache')) files.add('/etc/ld.so.cache');
  return {node, files: [...files].filter((file) => existsSync(file)).sort()};
}

function linkedBy(binary: string): string[] {
  try {
    const listing = execFileSync('ldd', [binary], {encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore']});
    return [...listing.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((match) => match[1]!);
  } catch {
    return [];
  }
}

function mappedLibraries(): string[] {
  try {
    return readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((line) => line.slice(line.indexOf('/')))
      .filter((path) => path.startsWith('/') && /\.so(\.|$)/.test(path));
  } catch {
    return [];
  }
}

/** Every `node_modules` a module of `root` may import from: Node looks in each directory up to `/`. */
export function nodeModulesAbove(root: string): string[] {
  const found: string[] = [];
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) found.push(candidate);
    if (dirname(dir) === dir) return found;
  }
}
