import {readFile} from 'node:fs/promises';
import {badInput} from '../lib/errors.js';

/** The input of a run from `--input JSON` or `--input-file FILE`; `{}` when neither is given. */
export async function readRunInput(flags: {input?: string; 'input-file'?: string}): Promise<unknown> {
  if (flags.input !== undefined && flags['input-file'] !== undefined) throw badInput('give --input or --input-file, not both');
  if (flags['input-file'] !== undefined) {
    const file = flags['input-file'];
    const text = await readFile(file, 'utf8').catch(() => {
      throw badInput(`--input-file: cannot read ${file}`, 'check the path');
    });
    return parseJson(text, `--input-file ${file}`);
  }
  return flags.input === undefined ? {} : parseJson(flags.input, '--input');
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badInput(`${where} is not valid JSON: ${(error as Error).message}`, `quote it for the shell, e.g. --input '{"id": 7}'`);
  }
}
