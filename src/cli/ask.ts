import {createInterface} from 'node:readline';
import type {PromptRequest} from '../protocol/index.js';

/**
 * Asks a run's question on the terminal and resolves with the reply as typed (an empty reply
 * stands for the default; the daemon applies it and checks the choices). A secret is not echoed,
 * as passwd and sudo do it. Off a terminal, the first line of standard input is the reply, so `echo blue | capsule
 * answer RUN` works. `signal` aborts the question (the run was answered elsewhere).
 */
export function ask(prompt: PromptRequest, signal?: AbortSignal): Promise<string | null> {
  const {stdin, stderr} = process;
  const choices = prompt.choices === null ? '' : ` [${prompt.choices.map((choice) => (choice === prompt.default ? `${choice}*` : choice)).join('/')}]`;
  const fallback = prompt.default !== null && prompt.choices === null ? ` (${prompt.secret ? 'default set' : prompt.default})` : '';
  const question = `? ${prompt.question}${choices}${fallback} `;
  const terminal = stdin.isTTY === true;
  const rl = createInterface({input: stdin, output: terminal ? stderr : undefined, terminal});
  if (prompt.secret && terminal) {
    // readline echoes what it reads, and redraws the line, through this: past the question, only line ends get through.
    const shown = rl as unknown as {_writeToOutput(text: string): void};
    let asked = false;
    shown._writeToOutput = (text: string) => {
      if (!asked) {
        asked = true;
        stderr.write(text);
      } else if (text.includes('\n') || text.includes('\r')) stderr.write('\n');
    };
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: string | null) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      rl.close();
      resolve(answer);
    };
    const abort = () => {
      if (terminal) stderr.write('\n');
      finish(null);
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, {once: true});
    if (!terminal) stderr.write(question);
    rl.question(terminal ? question : '', (answer) => finish(answer));
    rl.once('close', () => finish(null));
    // On a terminal readline reads Ctrl-C itself (raw mode) and, unheard, would only pause: pass it on as the signal it is.
    rl.on('SIGINT', () => {
      finish(null);
      process.kill(process.pid, 'SIGINT');
    });
  });
}
