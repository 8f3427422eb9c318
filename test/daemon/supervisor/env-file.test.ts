import {describe, expect, it} from 'vitest';
import {parseEnvFile} from '../../../daemon/supervisor/env-file.js';

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines, comments, export and quotes', () => {
    const text = ['# comment', '', 'PLAIN=value', 'export EXPORTED=1', "SINGLE='a $b \\n'", 'DOUBLE="line\\nnext \\"q\\""', 'SPACED = trimmed # note', 'EMPTY='].join('\n');
    expect(parseEnvFile(text, '.env')).toEqual({PLAIN: 'value', EXPORTED: '1', SINGLE: 'a $b \\n', DOUBLE: 'line\nnext "q"', SPACED: 'trimmed', EMPTY: ''});
  });

  it('points at a malformed line', () => {
    expect(() => parseEnvFile('A=1\nnot a pair\n', '/p/.env')).toThrow(expect.objectContaining({code: 'config_invalid', message: '/p/.env:2: expected KEY=VALUE, got "not a pair"'}));
  });
});
