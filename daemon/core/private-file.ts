import {open, readFile, rename, type FileHandle} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import type {Adapter} from 'lowdb';

/**
 * Modes for everything the daemon keeps under CAPSULE_HOME: its state holds config values,
 * run inputs and results, which are nobody else's business on a shared machine.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** What one write of `writeText` holds at most, give or take a piece. */
const WRITE_PIECE_CHARS = 256 * 1024;

/**
 * lowdb's DataFile, but written mode 0600 and durably. lowdb writes a temp file and renames it
 * over the old one, so the file takes the temp file's mode at every write: with lowdb's own
 * writer that is the umask's 0644. The temp file is chmod-ed too, in case a crash left one with
 * another mode. A write resolves only once it would survive a power loss: the temp file is
 * fsynced before the rename (or the rename could reach the disk before the data, leaving an
 * empty file), and the directory after it (or the rename itself could be lost).
 */
export class PrivateDataFile<T> implements Adapter<T> {
  readonly #temp: string;

  constructor(
    private readonly file: string,
    private readonly format: {parse: (text: string) => T; stringify: (data: T) => string},
  ) {
    this.#temp = join(dirname(file), `.${basename(file)}.tmp`);
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return this.format.parse(text);
  }

  async write(data: T): Promise<void> {
    await this.writeText([this.format.stringify(data)]);
  }

  /**
   * Writes the file's text from its pieces, in writes of about WRITE_PIECE_CHARS, as durably as
   * `write`: a large file (the run history) is never one string, nor one Buffer, in memory.
   */
  async writeText(pieces: Iterable<string>): Promise<void> {
    const handle = await open(this.#temp, 'w', PRIVATE_FILE_MODE);
    try {
      await handle.chmod(PRIVATE_FILE_MODE);
      let pending: string[] = [];
      let chars = 0;
      for (const piece of pieces) {
        pending.push(piece);
        chars += piece.length;
        if (chars < WRITE_PIECE_CHARS) continue;
        await writeAll(handle, pending.join(''));
        pending = [];
        chars = 0;
      }
      if (pending.length > 0) await writeAll(handle, pending.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.#temp, this.file);
    await syncDirectory(dirname(this.file));
  }
}

/** A write may take fewer bytes than given: the rest follows until all are written. */
async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset)).bytesWritten;
}

/** Makes the directory's entries (a file created, renamed or removed in it) survive a power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
