import {readFile} from 'node:fs/promises';
import {createInterface} from 'node:readline';
import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../cli/base.js';
import {stringArg} from '../cli/args.js';
import {SessionCalls} from '../client/session.js';
import {badInput} from '../lib/errors.js';
import type {ExecutionResult} from '../protocol/index.js';
import {renderSnippetError} from '../render/sessions.js';

export default class Exec extends CapsuleCommand {
  static override summary = "Execute a snippet of JavaScript or TypeScript in a code session's namespace.";
  static override description =
    'Output is printed as the snippet writes it, then the value of its last expression. Top-level declarations and imports stay for the next snippet; top-level await works. `await input("prompt")` in the snippet is answered on the terminal (or from standard input). Exits 1 when the snippet throws or goes past a limit; Ctrl-C interrupts it and keeps the session.';
  static override examples = [
    `<%= config.bin %> exec s1a2b3c4d5 'const xs = [1, 2, 3]'`,
    `<%= config.bin %> exec s1a2b3c4d5 'xs.map((x) => x * 2)'`,
    '<%= config.bin %> exec s1a2b3c4d5 -f analysis.ts',
    `echo 'await fetch("https://example.com").then((r) => r.status)' | <%= config.bin %> exec s1a2b3c4d5`,
  ];
  static override args = {
    id: stringArg({required: true, description: 'Session id (see `capsule session list`).'}),
    code: stringArg({description: 'The snippet; without it, --file or standard input.'}),
  };
  static override flags = {
    file: Flags.string({char: 'f', description: 'Read the snippet from this file.', exclusive: ['code']}),
    timeout: Flags.string({description: 'Wall-clock limit, e.g. 30s (time waiting for input() excepted).'}),
    ...autostartFlag,
  };

  async run(): Promise<ExecutionResult> {
    const {args, flags} = await this.parse(Exec);
    if (args.code !== undefined && flags.file !== undefined) throw badInput('give the snippet as an argument or with --file, not both', `capsule exec ${args.id} -f ${flags.file}`);
    const fromStdin = args.code === undefined && flags.file === undefined;
    if (fromStdin && process.stdin.isTTY) throw badInput('no snippet given', `pass it as an argument (\`capsule exec ${args.id} '1 + 1'\`), with --file, or on standard input; or use \`capsule session repl ${args.id}\``);
    const code = args.code ?? (flags.file === undefined ? await readStdin() : await readSnippetFile(flags.file));
    const client = await this.daemon(flags.autostart);
    // An unknown id is the daemon's not_found, worded once there.
    const session = new SessionCalls(client, args.id);
    const answers = fromStdin ? null : lineReader();
    const interrupt = () => void session.interrupt();
    process.on('SIGINT', interrupt);
    let result: ExecutionResult;
    try {
      result = await session.execute(code, {
        ...(flags.timeout === undefined ? {} : {timeout: flags.timeout}),
        onOutput: (stream, text) => {
          if (!this.jsonEnabled()) process[stream].write(text);
        },
        onInput: async (prompt) => {
          if (answers === null) throw badInput('the snippet asks for input, but its code came on standard input', `pass the code as an argument or with --file, or use \`capsule session repl ${args.id}\``);
          process.stderr.write(prompt);
          return answers.next();
        },
      });
    } finally {
      process.off('SIGINT', interrupt);
      answers?.close();
    }
    if (result.error !== undefined) {
      if (this.jsonEnabled()) this.logJson(result);
      else this.logToStderr(renderSnippetError(result, this.paint));
      this.exit(1);
    }
    if (!this.jsonEnabled() && result.inspected !== undefined) this.log(result.inspected);
    return result;
  }
}

async function readSnippetFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw badInput(`cannot read --file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 'give the path of a .ts or .js file');
  }
}

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return text;
}

/** Answers to input(), a line each, from the terminal or standard input. */
function lineReader(): {next(): Promise<string>; close(): void} {
  const rl = createInterface({input: process.stdin, terminal: false});
  const lines: string[] = [];
  const waiting: {resolve(line: string): void; reject(error: Error): void}[] = [];
  let ended = false;
  rl.on('line', (line) => {
    const take = waiting.shift();
    if (take) take.resolve(line);
    else lines.push(line);
  });
  const noMore = () => badInput('standard input ended before the snippet\'s input() was answered', 'give one line of standard input per input() the snippet asks, or use `capsule session repl`');
  rl.on('close', () => {
    ended = true;
    for (const take of waiting.splice(0)) take.reject(noMore());
  });
  return {
    next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : ended ? Promise.reject(noMore()) : new Promise((resolve, reject) => waiting.push({resolve, reject}))),
    close: () => rl.close(),
  };
}
