// Bundled at build time, so the CLI, the daemon and `capsule --version` agree.
import pkg from '../../package.json' with {type: 'json'};

export const CAPSULE_VERSION: string = pkg.version;
