import {CapsuleError} from '../../src/lib/errors.js';

/**
 * Parses a dotenv-style file: `KEY=VALUE` lines, `#` comments, an optional `export ` prefix,
 * and values in single quotes (literal) or double quotes (with \n, \t, \" and \\ escapes).
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      throw new CapsuleError('config_invalid', `${file}:${index + 1}: expected KEY=VALUE, got ${JSON.stringify(line)}`, {
        hint: 'each line of an env_file is KEY=VALUE, a # comment or empty',
      });
    }
    env[match[1]!] = unquote(match[2]!);
  });
  return env;
}

const ESCAPES: Record<string, string> = {n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\'};

function unquote(value: string): string {
  const single = /^'([^']*)'/.exec(value);
  if (single) return single[1]!;
  const double = /^"((?:[^"\\]|\\.)*)"/.exec(value);
  if (double) return double[1]!.replace(/\\(.)/g, (whole, char: string) => ESCAPES[char] ?? whole);
  return value.replace(/\s+#.*$/, '');
}
