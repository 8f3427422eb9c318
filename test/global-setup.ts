import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

// End-to-end tests spawn bin/run.js, which runs the bundle in dist/: build it once per test run.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['esbuild.config.js'], {cwd: root, stdio: 'inherit'});
}
