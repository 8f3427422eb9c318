import type {SandboxPolicy} from '../../src/config/sandbox-policy.js';
import type {CapsuleError} from '../../src/lib/errors.js';
import {loadFailure, type DiscoveryHost} from '../executor/discover.js';
import type {DiscoveryAnswer, DiscoveryJobMessage, DiscoveryMessage} from '../worker/discover.js';
import {AttemptGuard} from './attempt-guard.js';
import type {SandboxProcess} from './sandbox-process.js';
import {namingHiddenPath} from './hidden-paths.js';
import type {SentError} from '../worker/protocol.js';

/**
 * A project whose code is not trusted (`[defaults] isolation = "sandbox"`) loads its entry
 * modules in a sandbox too: their top level is the project's code as much as its tasks are. One
 * sandbox per discovery; what the loading asks the daemon for is checked as an attempt's is.
 */
export class SandboxDiscoveryHost implements DiscoveryHost {
  private readonly guard: AttemptGuard;
  private readonly scratchBytes: number;

  constructor(
    private readonly sandbox: Promise<SandboxProcess>,
    namespace: string,
    root: string,
    policy: SandboxPolicy,
  ) {
    this.guard = new AttemptGuard(namespace, root, policy);
    this.scratchBytes = policy.scratchBytes;
  }

  postMessage(message: DiscoveryJobMessage | DiscoveryAnswer): void {
    const sent = 't' in message ? {...message, scratchBytes: this.scratchBytes} : message;
    // In order: each waits on the same promise, and its reactions run as they were added.
    void this.sandbox.then((sandbox) => sandbox.send(sent), () => {});
  }

  listen(onMessage: (message: DiscoveryMessage) => void, onEnd: (error: CapsuleError) => void): void {
    this.sandbox.then(
      (sandbox) => {
        sandbox.onMessage((message) => onMessage(message as DiscoveryMessage));
        sandbox.whenRefused((message) => onEnd(loadFailure(message, 'a module sent the daemon more than a sandbox may')));
        sandbox.child.once('exit', () => onEnd(loadFailure('the sandbox the entry modules loaded in ended while they loaded', 'do not call process.exit at the top level of an entry module')));
      },
      (error: unknown) => onEnd(loadFailure(`the sandbox to load the entry modules in could not be started: ${(error as Error).message}`, 'see `capsule daemon status` for the sandbox')),
    );
  }

  async admit(url: string): Promise<void> {
    this.guard.admit(url);
  }

  explain(error: SentError): SentError {
    return namingHiddenPath(error);
  }

  async terminate(): Promise<void> {
    const sandbox = await this.sandbox.catch(() => null);
    if (sandbox === null || sandbox.exit !== null) return;
    const gone = new Promise<void>((resolve) => sandbox.child.once('exit', () => resolve()));
    sandbox.kill();
    await gone;
  }
}
