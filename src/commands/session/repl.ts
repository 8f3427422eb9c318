import {appendFile, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {createInterface, type Interface} from 'node:readline';
import {Flags} from '@oclif/core';
import {CapsuleCommand, autostartFlag} from '../../cli/base.js';
import {stringArg} from '../../cli/args.js';
import {SessionHandle} from '../../client/session.js';
import {projectNamespace} from '../../client/targets.js';
import {CapsuleError, badInput} from '../../lib/errors.js';
import {renderSessionOpened, renderSnippetError} from '../../render/sessions.js';

/** Lines of REPL history kept in CAPSULE_HOME/repl_history. */
const HISTORY_LINES = 1_000;

export default class SessionRepl extends CapsuleCommand {
  static override summary = "An interactive prompt in a code session's namespace.";
  static override description =
    'Each entry runs as a snippet (TypeScript accepted, top-level await); an entry that is not finished yet (an open brace, a dangling operator) continues on the next line. Tab completes the namespace\'s names and properties; `await input("…")` asks in place. Ctrl-C interrupts a running snippet (the session keeps its names) or clears the entry; Ctrl-D or .exit leaves. Without ID a new session is opened, and closed on leaving.';
  static override examples = ['<%= config.bin %> session repl', '<%= config.bin %> session repl s1a2b3c4d5', '<%= config.bin %> session repl --project reports'];
  static override args = {id: stringArg({description: 'Session id; without it, a new session.'})};
  static override flags = {
    project: Flags.string({char: 'p', description: 'For a new session: the project it works in.'}),
    ...autostartFlag,
  };
  static override enableJsonFlag = false;

  async run(): Promise<void> {
    const {args, flags} = await this.parse(SessionRepl);
    if (args.id !== undefined && flags.project !== undefined) throw badInput('--project is for a new session; the session given keeps the project it was opened for', `capsule session repl --project ${flags.project}`);
    const client = await this.daemon(flags.autostart);
    let session: SessionHandle;
    const owned = args.id === undefined;
    if (args.id === undefined) {
      session = new SessionHandle(client, await client.call('session.new', {isolation: 'process', ...(flags.project === undefined ? {} : {project: await projectNamespace(client, flags.project)})}));
      this.logToStderr(`opened session ${renderSessionOpened(session.summary)}; it closes when you leave`);
    } else {
      const summary = (await client.call('session.list', {})).sessions.find((each) => each.id === args.id);
      if (summary === undefined) throw new CapsuleError('not_found', `no session ${args.id}`, {hint: 'see `capsule session list`, or run `capsule session repl` to open a new one'});
      session = new SessionHandle(client, summary);
    }
    const historyFile = join(this.paths.home, 'repl_history');
    const history = (await readFile(historyFile, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '').slice(-HISTORY_LINES).reverse();
    try {
      await new Repl(session, this.paint, history, (line) => void appendFile(historyFile, `${line.replace(/\n/g, ' ')}\n`, {mode: 0o600}).catch(() => {})).run();
    } finally {
      await trimHistory(historyFile);
      if (owned) await session.close().catch(() => {});
    }
  }
}

class Repl {
  private buffer = '';
  private running = false;
  /** The question a snippet's `input()` asks now. */
  private asking: string | null = null;
  private rl!: Interface;

  constructor(
    private readonly session: SessionHandle,
    private readonly paint: SessionRepl['paint'],
    private readonly history: string[],
    private readonly remember: (line: string) => void,
  ) {}

  run(): Promise<void> {
    this.rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY === true,
      history: this.history,
      historySize: HISTORY_LINES,
      completer: (line: string, callback: (error: null, result: [string[], string]) => void) => {
        const expression = /[\w$.]*$/.exec(line)?.[0] ?? '';
        this.session.complete(expression).then(
          (names) => callback(null, [names, expression]),
          () => callback(null, [[], expression]),
        );
      },
    });
    return new Promise((resolve) => {
      this.rl.on('line', (line) => void this.onLine(line));
      this.rl.on('SIGINT', () => this.onInterrupt());
      this.rl.on('close', () => resolve());
      this.prompt();
    });
  }

  private prompt(): void {
    this.rl.setPrompt(this.buffer === '' ? '> ' : '... ');
    this.rl.prompt();
  }

  /** Lines typed ahead of a running entry: they are the next entries, or the answer to its next input(). */
  private readonly typedAhead: string[] = [];

  private onLine(line: string): void {
    if (this.asking !== null) return this.answer(line);
    this.typedAhead.push(line);
    if (!this.running) void this.drain();
  }

  private answer(line: string): void {
    const inputId = this.asking!;
    this.asking = null;
    void this.session.respondInput(inputId, line);
  }

  private async drain(): Promise<void> {
    while (!this.running && this.typedAhead.length > 0) await this.entry(this.typedAhead.shift()!);
  }

  private async entry(line: string): Promise<void> {
    if (this.buffer === '' && line.trim() === '.exit') return void this.rl.close();
    this.buffer = this.buffer === '' ? line : `${this.buffer}\n${line}`;
    if (this.buffer.trim() === '') {
      this.buffer = '';
      return this.prompt();
    }
    this.running = true;
    try {
      for await (const message of this.session.stream(this.buffer)) {
        if (message.type === 'output') process[message.stream].write(message.text);
        else if (message.type === 'input') {
          this.asking = message.inputId;
          if (this.typedAhead.length > 0) this.answer(this.typedAhead.shift()!);
          else {
            this.rl.setPrompt(message.prompt);
            this.rl.prompt();
          }
        } else if (message.type === 'error' && message.result.error?.incomplete) {
          // Not finished yet: the next line goes on with it.
          this.running = false;
          return this.prompt();
        } else {
          this.remember(this.buffer);
          if (message.type === 'error') process.stderr.write(`${renderSnippetError(message.result, this.paint)}\n`);
          else if (message.result.inspected !== undefined) process.stdout.write(`${message.result.inspected}\n`);
        }
      }
    } catch (error) {
      process.stderr.write(`${this.paint('red', (error as Error).message)}\n`);
      if (error instanceof CapsuleError && error.code === 'daemon_unreachable') return void this.rl.close();
    }
    this.buffer = '';
    this.running = false;
    this.asking = null;
    this.prompt();
  }

  private onInterrupt(): void {
    if (this.running) {
      void this.session.interrupt();
      return;
    }
    if (this.buffer !== '' || this.rl.line !== '') {
      this.buffer = '';
      process.stdout.write('\n');
      this.rl.write(null, {ctrl: true, name: 'u'});
      return this.prompt();
    }
    process.stdout.write('\n(to leave, press Ctrl-D or type .exit)\n');
    this.prompt();
  }
}

async function trimHistory(file: string): Promise<void> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
  if (lines.length > HISTORY_LINES * 2) await writeFile(file, `${lines.slice(-HISTORY_LINES).join('\n')}\n`, {mode: 0o600});
}
