import {open} from 'node:fs/promises';
import path from 'node:path';
import {CapsuleError} from '../lib/errors.js';
import {formatSize} from '../lib/size.js';
import {MAX_CONFIG_BYTES} from './bounds.js';
import {CONFIG_FILE_NAME} from './file-name.js';
import {parseProjectConfig} from './parse.js';
import type {ProjectConfig} from './schema.js';


/** Reads and validates `<root>/capsule.toml`. */
export async function loadProjectConfig(root: string): Promise<ProjectConfig> {
  const directory = path.resolve(root);
  const file = path.join(directory, CONFIG_FILE_NAME);
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const {size} = await handle.stat();
      if (size > MAX_CONFIG_BYTES) {
        throw new CapsuleError('config_invalid', `${file} is too large: expected at most ${formatSize(MAX_CONFIG_BYTES)}, got ${size} bytes`, {
          hint: 'capsule.toml holds project settings only; keep data in other files',
        });
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw readFailure(error, directory, file);
  }
  return parseProjectConfig(text, file);
}

function readFailure(error: unknown, directory: string, file: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new CapsuleError('not_found', `no ${CONFIG_FILE_NAME} in ${directory}: expected a project file at ${file}`, {
      hint: `run \`capsule init ${directory}\` to create a project there, or pass the directory that holds ${CONFIG_FILE_NAME}`,
    });
  }
  if (code === 'EISDIR' || code === 'EACCES' || code === 'EPERM') {
    return new CapsuleError('config_invalid', `cannot read ${file}: expected a readable file, got ${code}`, {
      hint: code === 'EISDIR' ? `${CONFIG_FILE_NAME} must be a file` : `check the permissions of ${file}`,
      cause: error,
    });
  }
  return error;
}
