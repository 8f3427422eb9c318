/**
 * Where each key of a TOML document is written. Validation issues only know key paths
 * (`services.api.restart`); this index turns a path back into the line and column the user
 * should look at. It runs only on text smol-toml has already accepted, so it skips values
 * without checking them; if it ever loses its way it stops, and the paths it has not reached
 * get no position rather than a wrong one.
 */
export interface TomlPosition {
  line: number;
  column: number;
}

/** Table and key names, with array indexes for `[[tables]]` and array elements. */
export type KeyPath = readonly (string | number)[];

interface KeyPart {
  name: string;
  offset: number;
}

const BARE_KEY = /[A-Za-z0-9_-]+/y;
const SCALAR_END = /[,\]}#\r\n]/g;

/**
 * One written key and the keys below it. A trie rather than a map of whole paths keeps the
 * index linear in the text: a dotted key of n segments costs n steps, not n² characters.
 */
class KeyNode {
  /** Where the key is first written: that is where an implicit table such as `services` appears. */
  offset = -1;
  /** How many elements a `[[table]]` array has so far. */
  arrayLength = 0;
  readonly children = new Map<string | number, KeyNode>();

  child(part: string | number, offset: number): KeyNode {
    let node = this.children.get(part);
    if (!node) {
      node = new KeyNode();
      node.offset = offset;
      this.children.set(part, node);
    }
    return node;
  }
}

export class TomlKeyIndex {
  readonly #root = new KeyNode();
  readonly #lineStarts: number[] = [0];

  constructor(text: string) {
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) this.#lineStarts.push(index + 1);
    try {
      new Scanner(text, this.#root).document();
    } catch (error) {
      if (!(error instanceof LostTrack)) throw error;
    }
  }

  /**
   * Where `path` is written; for a path that is not (a missing key), where its closest
   * written ancestor is: the table the key belongs in. Null when nothing on the path is written.
   */
  locate(path: KeyPath): TomlPosition | null {
    let node = this.#root;
    let offset = -1;
    for (const part of path) {
      const child = node.children.get(part);
      if (!child) break;
      node = child;
      offset = child.offset;
    }
    return offset === -1 ? null : this.#position(offset);
  }

  #position(offset: number): TomlPosition {
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.#lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return {line: low + 1, column: offset - this.#lineStarts[low]! + 1};
  }
}

class LostTrack extends Error {}

class Scanner {
  #pos = 0;

  constructor(
    private readonly text: string,
    private readonly root: KeyNode,
  ) {}

  document(): void {
    let table = this.root;
    for (;;) {
      this.#skipBlank();
      if (this.#pos >= this.text.length) return;
      if (this.text[this.#pos] === '[') table = this.#header();
      else this.#keyValue(table);
    }
  }

  #header(): KeyNode {
    const isArray = this.text.startsWith('[[', this.#pos);
    this.#pos += isArray ? 2 : 1;
    const parts = this.#key();
    this.#expect(isArray ? ']]' : ']');
    let node = this.root;
    parts.forEach((part, index) => {
      node = node.child(part.name, part.offset);
      if (isArray && index === parts.length - 1) {
        node.arrayLength++;
        node = node.child(node.arrayLength - 1, part.offset);
      } else if (node.arrayLength > 0) {
        // `[fruits.variety]` after `[[fruits]]` belongs to the latest fruit.
        node = node.child(node.arrayLength - 1, part.offset);
      }
    });
    return node;
  }

  #keyValue(table: KeyNode): void {
    const node = this.#recordKey(table, this.#key());
    this.#expect('=');
    this.#skipInline();
    this.#value(node);
  }

  #recordKey(table: KeyNode, parts: KeyPart[]): KeyNode {
    let node = table;
    for (const part of parts) node = node.child(part.name, part.offset);
    return node;
  }

  #key(): KeyPart[] {
    const parts: KeyPart[] = [];
    for (;;) {
      this.#skipInline();
      const offset = this.#pos;
      const quote = this.text[offset];
      let name: string;
      if (quote === '"' || quote === "'") {
        this.#string();
        const raw = this.text.slice(offset, this.#pos);
        name = quote === "'" ? raw.slice(1, -1) : decodeBasic(raw);
      } else {
        BARE_KEY.lastIndex = offset;
        const match = BARE_KEY.exec(this.text);
        if (!match) throw new LostTrack();
        name = match[0];
        this.#pos += name.length;
      }
      parts.push({name, offset});
      this.#skipInline();
      if (this.text[this.#pos] !== '.') return parts;
      this.#pos++;
    }
  }

  #value(node: KeyNode): void {
    const first = this.text[this.#pos];
    if (first === '{') this.#inlineTable(node);
    else if (first === '[') this.#array(node);
    else if (first === '"' || first === "'") this.#string();
    else this.#scalar();
  }

  #inlineTable(node: KeyNode): void {
    this.#pos++;
    for (;;) {
      this.#skipBlank();
      if (this.text[this.#pos] === '}') break;
      const inner = this.#recordKey(node, this.#key());
      this.#expect('=');
      this.#skipInline();
      this.#value(inner);
      this.#skipBlank();
      if (this.text[this.#pos] === ',') this.#pos++;
    }
    this.#pos++;
  }

  #array(node: KeyNode): void {
    this.#pos++;
    for (let index = 0; ; index++) {
      this.#skipBlank();
      if (this.text[this.#pos] === ']') break;
      this.#value(node.child(index, this.#pos));
      this.#skipBlank();
      if (this.text[this.#pos] === ',') this.#pos++;
    }
    this.#pos++;
  }

  /** Numbers, booleans and dates: up to whatever may follow a value. Dates may hold a space. */
  #scalar(): void {
    const start = this.#pos;
    SCALAR_END.lastIndex = start;
    const end = SCALAR_END.exec(this.text);
    this.#pos = end ? end.index : this.text.length;
    if (this.text.slice(start, this.#pos).trim() === '') throw new LostTrack();
  }

  #string(): void {
    const quote = this.text[this.#pos]!;
    const multiline = this.text.startsWith(quote.repeat(3), this.#pos);
    this.#pos += multiline ? 3 : 1;
    const closing = multiline ? quote.repeat(3) : quote;
    while (this.#pos < this.text.length) {
      if (quote === '"' && this.text[this.#pos] === '\\') {
        this.#pos += 2;
      } else if (this.text.startsWith(closing, this.#pos)) {
        this.#pos += closing.length;
        // A multi-line string may end with one or two quotes of its own just before the delimiter.
        for (let extra = 0; multiline && extra < 2 && this.text[this.#pos] === quote; extra++) this.#pos++;
        return;
      } else {
        this.#pos++;
      }
    }
    throw new LostTrack();
  }

  #expect(token: string): void {
    this.#skipInline();
    if (!this.text.startsWith(token, this.#pos)) throw new LostTrack();
    this.#pos += token.length;
  }

  #skipInline(): void {
    while (this.text[this.#pos] === ' ' || this.text[this.#pos] === '\t') this.#pos++;
  }

  /** Whitespace, line breaks and comments. */
  #skipBlank(): void {
    for (;;) {
      const char = this.text[this.#pos];
      if (char === ' ' || char === '\t' || char === '\r' || char === '\n') this.#pos++;
      else if (char === '#') this.#pos = lineEnd(this.text, this.#pos);
      else return;
    }
  }
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

/** A quoted key's name. JSON covers TOML's usual escapes; a rarer one (`\e`, `\U…`) keeps the key as written. */
function decodeBasic(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}
