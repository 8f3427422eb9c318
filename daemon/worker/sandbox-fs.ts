import fs from 'node:fs';

/**
 * `fs.existsSync` never throws, Node documents; under Node 20's permission model it throws
 * ERR_ACCESS_DENIED for a path outside what the process may read, and libraries that probe for
 * a config file with it fail. To code in a sandbox, a path it is not shown does not exist.
 * Installed before the network (whose install brings the ES module exports up to date).
 */
export function installSandboxFs(): void {
  const existsSync = fs.existsSync;
  fs.existsSync = (path) => {
    try {
      return existsSync(path);
    } catch (error) {
      if ((error as {code?: unknown}).code === 'ERR_ACCESS_DENIED') return false;
      throw error;
    }
  };
}
