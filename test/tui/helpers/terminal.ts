import {EventEmitter} from 'node:events';

/** A terminal screen for renderDashboard: records what is written and resolves waits for text. */
export class FakeScreen extends EventEmitter {
  readonly isTTY = true;
  output = '';
  /** Writes carrying a frame (Ink also writes short cursor and synchronisation sequences). */
  frames = 0;
  private waiters: {text: string; resolve(): void}[] = [];

  constructor(
    public columns = 120,
    public rows = 40,
    /** Keep everything written (tests) or only count frames (the benchmark's long runs). */
    private readonly keep = true,
  ) {
    super();
  }

  write(chunk: string): boolean {
    if (this.keep) this.output += chunk;
    if (chunk.includes('capsule')) this.frames++;
    this.waiters = this.waiters.filter((waiter) => (chunk.includes(waiter.text) ? (waiter.resolve(), false) : true));
    return true;
  }

  /** Resolves when a later write contains `text`. */
  until(text: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({text, resolve}));
  }

  /** Does `act`, then resolves once the screen shows `text` (the wait is set up first, so a fast answer is not missed). */
  async after(act: () => void, text: string): Promise<void> {
    const shown = this.until(text);
    act();
    await shown;
  }

  get stream(): NodeJS.WriteStream {
    return this as unknown as NodeJS.WriteStream;
  }
}

/** A keyboard for renderDashboard: what Ink needs of a raw-mode TTY stdin. */
export class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  private pending: string[] = [];

  setRawMode(): this {
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  read(): string | null {
    return this.pending.shift() ?? null;
  }

  press(key: string): void {
    this.pending.push(key);
    this.emit('readable');
  }

  get stream(): NodeJS.ReadStream {
    return this as unknown as NodeJS.ReadStream;
  }
}
