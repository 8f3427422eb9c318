/**
 * Entry of a session's host process (built to dist/session-host.js): one JavaScript namespace,
 * kept for the session's life, that runs the snippets the daemon compiled (snippet.ts) one after
 * another. It listens on a unix socket rather than holding a pipe to the daemon, so that it
 * outlives a daemon that crashes or restarts: the next one connects and the session carries on.
 * While no daemon is connected, what it would have sent is kept (output bounded, results and
 * questions whole); alone for too long, it exits.
 *
 * Inside a sandbox (CAPSULE_SESSION_SANDBOX set, to the scratch size) its network goes through the egress proxy, as a
 * sandboxed task's does.
 */
import {createServer, type Socket} from 'node:net';
import {createRequire, isBuiltin} from 'node:module';
import {resolve as resolvePath} from 'node:path';
import {pathToFileURL} from 'node:url';
import {format, inspect} from 'node:util';
import {runInThisContext} from 'node:vm';
import {frame, FrameReader} from '../sandbox/frames.js';
import {EGRESS_SOCKET} from '../sandbox/protocol.js';
import {answerModulesWith, registerLoaderHooks} from '../worker/module-host.js';
import {installSandboxFs} from '../worker/sandbox-fs.js';
import {installSandboxNetwork} from '../worker/sandbox-network.js';
import {toSentError, type ModuleSource, type SentError} from '../worker/protocol.js';
import {describeInSandbox} from '../worker/sandbox-denial.js';
import {IMPORT_FUNCTION} from './snippet.js';
import {
  DEFAULT_ORPHAN_MS,
  INSPECTED_CHARS,
  SESSION_ORPHAN_ENV,
  SESSION_OUTPUT_BUFFER_BYTES,
  SESSION_SOCKET_ENV,
  SNIPPET_OUTPUT_BYTES,
  type DaemonMessage,
  type HostMessage,
  INTERRUPTED_CODE,
  type OutputStream,
  type SnippetOutcome,
} from './host-protocol.js';

const socketPath = process.env[SESSION_SOCKET_ENV];
if (!socketPath) {
  process.stderr.write(`session host: ${SESSION_SOCKET_ENV} is not set; the daemon starts this process\n`);
  process.exit(2);
}
const orphanMs = Number(process.env[SESSION_ORPHAN_ENV]) || DEFAULT_ORPHAN_MS;
delete process.env[SESSION_SOCKET_ENV];
delete process.env[SESSION_ORPHAN_ENV];

/** The daemon's connection; null while there is none. */
let daemon: Socket | null = null;
/** What waits for a daemon to connect: results and questions always, output up to a cap. */
const held: HostMessage[] = [];
let heldOutputBytes = 0;
let orphanTimer: NodeJS.Timeout | null = null;

function send(message: HostMessage): void {
  if (daemon !== null && !daemon.destroyed) {
    daemon.write(frame(message));
    return;
  }
  held.push(message);
  if (message.type !== 'output') return;
  heldOutputBytes += message.text.length;
  while (heldOutputBytes > SESSION_OUTPUT_BUFFER_BYTES) {
    const oldest = held.findIndex((entry) => entry.type === 'output');
    if (oldest === -1) break;
    heldOutputBytes -= (held[oldest] as {text: string}).text.length;
    held.splice(oldest, 1);
  }
}

/** The snippet running now, if any, and where its output goes. */
interface Execution {
  id: string;
  outputBytes: number;
  truncated: boolean;
  settle(outcome: {value: unknown} | {error: SentError}): void;
}
let running: Execution | null = null;
/** Output written between snippets (a timer's) belongs to the last one. */
let lastId = '';
const queue: Extract<DaemonMessage, {type: 'execute'}>[] = [];

function write(stream: OutputStream, text: string): void {
  if (text === '') return;
  const id = running?.id ?? lastId;
  if (running !== null) {
    if (running.truncated) return;
    running.outputBytes += Buffer.byteLength(text);
    if (running.outputBytes > SNIPPET_OUTPUT_BYTES) {
      running.truncated = true;
      send({type: 'output', id, stream: 'stderr', text: `[capsule: this snippet wrote more than ${SNIPPET_OUTPUT_BYTES / 1024 / 1024} MiB; the rest of its output is dropped]\n`});
      return;
    }
  }
  send({type: 'output', id, stream, text});
}

function captureOutput(): void {
  const line = (stream: OutputStream) => (...args: unknown[]) => write(stream, `${format(...args)}\n`);
  console.log = console.info = console.debug = line('stdout');
  console.error = console.warn = console.trace = line('stderr');
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      write(stream, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.findLast((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (callback) queueMicrotask(callback);
      return true;
    }) as typeof process.stdout.write;
  }
}

let nextInput = 0;
const inputs = new Map<string, (text: string) => void>();

/** `await input("Your name: ")`: asks whoever runs the snippet, and waits for the answer. */
function input(prompt: unknown = ''): Promise<string> {
  const id = running?.id ?? lastId;
  const inputId = `${id}.${++nextInput}`;
  return new Promise((resolve) => {
    inputs.set(inputId, resolve);
    send({type: 'ask', id, inputId, prompt: String(prompt)});
  });
}

const projectRequire = () => createRequire(resolvePath(process.cwd(), 'session.js'));

/** What a snippet's `import … from "m"` became: relative to the session's directory, bare names from its node_modules. */
async function importModule(specifier: string): Promise<unknown> {
  if (isBuiltin(specifier) || specifier === 'capsule' || specifier.startsWith('capsule/')) return import(specifier);
  if (specifier.startsWith('.') || specifier.startsWith('/')) return import(pathToFileURL(resolvePath(process.cwd(), specifier)).href);
  if (specifier.startsWith('file:')) return import(specifier);
  let resolved: string;
  try {
    resolved = projectRequire().resolve(specifier);
  } catch {
    return import(specifier);
  }
  return import(pathToFileURL(resolved).href);
}

let nextModuleCall = 0;
const moduleCalls = new Map<number, {resolve(source: ModuleSource | null): void; reject(error: Error): void}>();

function askModule(url: string, format: string | null): Promise<ModuleSource | null> {
  const call = ++nextModuleCall;
  return new Promise((resolve, reject) => {
    moduleCalls.set(call, {resolve, reject});
    send({type: 'module', call, url, format});
  });
}

/** Inside a sandbox, the scratch directory's size: a denial names the wall it hit, as a sandboxed task's does. */
const sandboxScratchBytes = process.env.CAPSULE_SESSION_SANDBOX === undefined ? null : Number(process.env.CAPSULE_SESSION_SANDBOX);

function errorOf(thrown: unknown): SentError {
  return sandboxScratchBytes === null ? toSentError(thrown) : describeInSandbox(thrown, {scratchBytes: sandboxScratchBytes});
}

function interrupted(): SentError {
  return {name: 'Interrupted', message: 'interrupted', stack: null, code: INTERRUPTED_CODE};
}

function outcomeOf(settled: {value: unknown} | {error: SentError}, started: number): SnippetOutcome {
  const durationMs = performance.now() - started;
  if ('error' in settled) return {durationMs, error: settled.error};
  const {value} = settled;
  if (value === undefined) return {durationMs};
  const inspected = inspect(value, {depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100}).slice(0, INSPECTED_CHARS);
  let json: string | undefined;
  try {
    json = typeof value === 'function' || typeof value === 'symbol' ? undefined : JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return json === undefined || json.length > SNIPPET_OUTPUT_BYTES ? {durationMs, inspected} : {durationMs, json: JSON.parse(json) as unknown, inspected};
}

function runNext(): void {
  if (running !== null) return;
  const next = queue.shift();
  if (next === undefined) return;
  const started = performance.now();
  let done = false;
  const execution: Execution = {
    id: next.id,
    outputBytes: 0,
    truncated: false,
    settle: (settled) => {
      if (done) return;
      done = true;
      running = null;
      send({type: 'result', id: next.id, outcome: outcomeOf(settled, started)});
      setImmediate(runNext);
    },
  };
  running = execution;
  lastId = next.id;
  try {
    // breakOnSigint: a loop that never yields is ended by the daemon's SIGINT, and the namespace kept.
    const promise = runInThisContext(next.script, {filename: next.filename, breakOnSigint: true}) as Promise<unknown>;
    promise.then(
      (value) => execution.settle({value}),
      (error: unknown) => execution.settle({error: errorOf(error)}),
    );
  } catch (error) {
    execution.settle({error: (error as {code?: unknown}).code === INTERRUPTED_CODE ? interrupted() : errorOf(error)});
  }
}

/** SIGINT while a snippet awaits: it is given up on (what it awaited may still settle, unseen). */
process.on('SIGINT', () => running?.settle({error: interrupted()}));

/** The names `expression` (`fo`, `obj.pr`) could complete to: the namespace's, or an object's properties. */
function complete(expression: string): string[] {
  const match = /^((?:[A-Za-z_$][\w$]*\.)*)([A-Za-z_$][\w$]*)?$/.exec(expression);
  if (match === null) return [];
  const path = match[1]!.split('.').filter((part) => part !== '');
  const partial = match[2] ?? '';
  let target: unknown = globalThis;
  for (const part of path) {
    try {
      target = (target as Record<string, unknown>)[part];
    } catch {
      return [];
    }
    if (target === null || target === undefined) return [];
  }
  const names = new Set<string>();
  for (let object: unknown = Object(target); object !== null && names.size < 10_000; object = Object.getPrototypeOf(object)) {
    for (const name of Object.getOwnPropertyNames(object)) if (name.startsWith(partial) && /^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
  }
  const prefix = path.length === 0 ? '' : `${path.join('.')}.`;
  return [...names].sort().map((name) => prefix + name);
}

function receive(message: DaemonMessage): void {
  switch (message.type) {
    case 'init':
      process.chdir(message.cwd);
      Object.assign(process.env, message.env);
      return;
    case 'execute':
      queue.push(message);
      runNext();
      return;
    case 'answer': {
      const answer = inputs.get(message.inputId);
      inputs.delete(message.inputId);
      answer?.(message.text);
      return;
    }
    case 'complete':
      send({type: 'completions', call: message.call, names: complete(message.expression)});
      return;
    case 'module': {
      const call = moduleCalls.get(message.call);
      moduleCalls.delete(message.call);
      if (message.error !== undefined) call?.reject(new SyntaxError(message.error));
      else call?.resolve(message.module);
      return;
    }
    case 'close':
      process.exit(0);
  }
}

function connected(socket: Socket): void {
  // One daemon at a time: a new one (after a restart) replaces a connection the old one left half-open.
  daemon?.destroy();
  daemon = socket;
  if (orphanTimer !== null) clearTimeout(orphanTimer);
  orphanTimer = null;
  const reader = new FrameReader(
    (message) => receive(message as DaemonMessage),
    () => socket.destroy(),
  );
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('error', () => {});
  socket.on('close', () => {
    if (daemon !== socket) return;
    daemon = null;
    waitAlone();
  });
  socket.write(frame({type: 'hello', pid: process.pid, running: running?.id ?? null} satisfies HostMessage));
  for (const message of held.splice(0)) socket.write(frame(message));
  heldOutputBytes = 0;
}

function waitAlone(): void {
  orphanTimer = setTimeout(() => process.exit(0), orphanMs);
}

if (sandboxScratchBytes !== null) {
  installSandboxFs();
  installSandboxNetwork(EGRESS_SOCKET);
}
registerLoaderHooks(new URL('./loader-hooks.js', import.meta.url));
answerModulesWith(askModule);
process.setSourceMapsEnabled(true);
captureOutput();
Object.assign(globalThis, {[IMPORT_FUNCTION]: importModule, input});
// An exception nobody catches (a timer's) is the snippet's output, not the end of the session.
process.on('uncaughtException', (error) => write('stderr', `Uncaught ${inspect(error)}\n`));
process.on('unhandledRejection', (reason) => write('stderr', `Uncaught (in promise) ${inspect(reason)}\n`));

const server = createServer(connected);
server.listen(socketPath, () => waitAlone());
