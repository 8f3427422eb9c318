/**
 * Turns one snippet of a code session into a script for the session's persistent namespace.
 *
 * A session runs its snippets one after another in one realm, each as a classic script (ES
 * modules cannot add to a namespace a later module sees). What a snippet declares at its top
 * level must outlive it, `await` must work at its top level and the value of its last expression
 * is its result, so the script is the snippet's body inside an async arrow, with the top-level
 * declarations turned into assignments to names the script declares with `var` (which a later
 * script may declare again, so a snippet can redefine what an earlier one did, as in a REPL).
 * Node's own REPL does the same for `await` with acorn; this does it for every snippet.
 *
 * The rewriting never adds or removes a line break within the snippet, and the script's own first
 * line is skipped by the source map esbuild made from the TypeScript, so `snippetStack` can point
 * a stack trace into the snippet's own lines (Node 20 applies no source map to a vm script).
 */
import {parse, type Pattern, type Program, type Statement, type ModuleDeclaration} from 'acorn';
import type {Message, TransformFailure, TransformResult} from 'esbuild';
import {SourceMap, type SourceMapPayload} from 'node:module';
import {CapsuleError} from '../../src/lib/errors.js';
import {isTransformFailure, transformErrorText} from '../executor/esbuild-errors.js';

type Esbuild = typeof import('esbuild');

/** The name the script calls to import a module, as the session's host defines it on the namespace. */
export const IMPORT_FUNCTION = '__capsuleImport';

export interface CompiledSnippet {
  script: string;
  /** What stack traces call it: `snippet-N.ts`. */
  filename: string;
  /** The names it declares at its top level, in order: what completion offers. */
  declared: string[];
  /** The script's positions → the snippet's, for snippetStack. */
  map: SourceMapPayload;
  /** The script's line that calls the arrow around the snippet: no line of the caller's, so left out of stacks. */
  callLine: number;
}

/** A snippet's syntax error: `incomplete` when the input ended too soon (a REPL reads another line then). */
export class SnippetSyntaxError extends CapsuleError {
  constructor(
    message: string,
    readonly incomplete: boolean,
  ) {
    super('bad_input', message, {details: {incomplete}});
  }
}

/**
 * Compiles snippet number `index`, then rewrites it as the file's comment says. JavaScript is
 * taken as it is (with a map of its own positions); anything else is TypeScript, its types
 * stripped by esbuild, which costs a round trip to esbuild's process.
 */
export async function compileSnippet(esbuild: Pick<Esbuild, 'transform'>, code: string, index: number): Promise<CompiledSnippet> {
  const filename = `snippet-${index}.ts`;
  let javascript = code;
  let program = parseScript(code);
  let map: SourceMapPayload;
  if (program !== null) map = identityMap(code, filename);
  else {
    let stripped: TransformResult;
    try {
      stripped = await esbuild.transform(code, {
        loader: 'ts',
        sourcefile: filename,
        sourcemap: 'external',
        // An import nothing in the snippet uses is kept: importing it may be why it is there.
        tsconfigRaw: {compilerOptions: {verbatimModuleSyntax: true}},
      });
    } catch (error) {
      if (isTransformFailure(error)) throw syntaxError(error);
      throw error;
    }
    javascript = stripped.code;
    map = sourceMap(stripped.map);
    program = parseScript(javascript);
    // esbuild accepted it: only what it passes through as written can fail here.
    if (program === null) throw new SnippetSyntaxError(`${filename}: ${parseError(javascript)}`, false);
  }
  const {body, declared} = rewrite(program, javascript, filename, (offset) => snippetLine(map, javascript, offset));
  const names = declared.length === 0 ? '' : `var ${declared.join(', ')}; `;
  const script = `${names}(async () => {\n${body}\n})()`;
  return {script, filename, declared, map, callLine: countLines(script)};
}

const PARSE_OPTIONS = {ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true} as const;

/** The snippet as JavaScript, or null if it is not (TypeScript, or a mistake esbuild will word). */
function parseScript(code: string): Program | null {
  try {
    return parse(code, PARSE_OPTIONS);
  } catch {
    return null;
  }
}

function parseError(code: string): string {
  try {
    parse(code, PARSE_OPTIONS);
    return 'cannot be parsed';
  } catch (error) {
    return (error as Error).message;
  }
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Columns of a line mapped one by one; past it, a line maps its start only. */
const MAPPED_COLUMNS = 2_000;

function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

/** A map of JavaScript to itself, column by column, in the shape esbuild's would have (the script's first line mapped to nothing). */
function identityMap(code: string, filename: string): SourceMapPayload {
  const lines: string[] = [''];
  let previousLine = 0;
  let previousColumn = 0;
  code.split('\n').forEach((text, line) => {
    const columns = Math.max(1, Math.min(text.length, MAPPED_COLUMNS));
    const segments = [`AA${vlq(line - previousLine)}${vlq(-previousColumn)}`];
    for (let column = 1; column < columns; column++) segments.push('CAAC');
    previousLine = line;
    previousColumn = columns - 1;
    lines.push(segments.join(','));
  });
  return {version: 3, file: filename, sources: [filename], sourceRoot: '', names: [], mappings: lines.join(';')} as unknown as SourceMapPayload;
}

interface Edit {
  at: number;
  /** How many characters of the source it replaces from `at`. */
  length: number;
  text: string;
}

/** `lineAt`: the snippet's line of an offset in `code` (the JavaScript `program` was parsed from). */
function rewrite(program: Program, code: string, filename: string, lineAt: (offset: number) => number): {body: string; declared: string[]} {
  const declared = new Set<string>();
  const edits: Edit[] = [];
  const hoisted: string[] = [];
  const statements = program.body;
  dynamicImports(statements, edits);
  for (const statement of statements) {
    switch (statement.type) {
      case 'VariableDeclaration': {
        for (const declarator of statement.declarations) boundNames(declarator.id, declared);
        edits.push({at: statement.start, length: statement.kind.length, text: 'void ('});
        for (const declarator of statement.declarations) {
          if (declarator.init === null || declarator.init === undefined) edits.push({at: declarator.id.end, length: 0, text: ' = undefined'});
        }
        edits.push({at: statement.declarations.at(-1)!.end, length: 0, text: ')'});
        break;
      }
      case 'FunctionDeclaration': {
        // Left in place, a declaration is hoisted within the snippet as it would be in a file; the namespace gets it before anything runs.
        const name = statement.id.name;
        declared.add(name);
        hoisted.push(`globalThis[${JSON.stringify(name)}] = ${name};`);
        break;
      }
      case 'ClassDeclaration': {
        const name = statement.id.name;
        declared.add(name);
        edits.push({at: statement.start, length: 0, text: `${name} = `}, {at: statement.end, length: 0, text: ';'});
        break;
      }
      case 'ImportDeclaration':
        edits.push(importEdit(statement, code, declared));
        break;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
        throw new SnippetSyntaxError(`${filename}:${lineAt(statement.start)}: a snippet cannot export; declare the name instead (\`const x = …\`), and later snippets see it`, false);
      default:
        break;
    }
  }
  const last = lastStatement(statements);
  // The statement's bounds, not the expression's: acorn leaves the parentheses of `({a})` outside it.
  if (last?.type === 'ExpressionStatement') {
    const end = code[last.end - 1] === ';' ? last.end - 1 : last.end;
    edits.push({at: last.start, length: 0, text: 'return ('}, {at: end, length: 0, text: ')'});
  }
  const body = hoisted.join(' ') + applyEdits(code, edits);
  return {body, declared: [...declared]};
}

/** `import(x)` anywhere → `__capsuleImport(x)`: a vm script has no module loader of its own to ask. */
function dynamicImports(node: unknown, edits: Edit[]): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) dynamicImports(child, edits);
    return;
  }
  const {type, start} = node as {type?: string; start?: number};
  if (type === 'ImportExpression') edits.push({at: start!, length: 'import'.length, text: IMPORT_FUNCTION});
  for (const value of Object.values(node)) if (typeof value === 'object') dynamicImports(value, edits);
}

function lastStatement(statements: (Statement | ModuleDeclaration)[]): Statement | ModuleDeclaration | undefined {
  // A trailing empty statement (`x;;`) must not hide the expression before it.
  return statements.findLast((statement) => statement.type !== 'EmptyStatement');
}

/** `import a, {b as c} from "m"` → `void ({default: a, b: c} = await __capsuleImport("m"))`, on as many lines as it took. */
function importEdit(statement: Extract<ModuleDeclaration, {type: 'ImportDeclaration'}>, code: string, declared: Set<string>): Edit {
  const source = JSON.stringify(statement.source.value);
  const load = `await ${IMPORT_FUNCTION}(${source})`;
  const fields: string[] = [];
  let namespace: string | null = null;
  for (const specifier of statement.specifiers) {
    declared.add(specifier.local.name);
    if (specifier.type === 'ImportNamespaceSpecifier') namespace = specifier.local.name;
    else if (specifier.type === 'ImportDefaultSpecifier') fields.push(`default: ${specifier.local.name}`);
    else fields.push(`${JSON.stringify(specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value)}: ${specifier.local.name}`);
  }
  let text: string;
  if (namespace !== null) text = fields.length === 0 ? `${namespace} = ${load};` : `${namespace} = ${load}; void ({${fields.join(', ')}} = ${namespace});`;
  else text = fields.length === 0 ? `${load};` : `void ({${fields.join(', ')}} = ${load});`;
  const original = code.slice(statement.start, statement.end);
  return {at: statement.start, length: original.length, text: text + '\n'.repeat(countLines(original) - 1)};
}

/** The names a declaration's pattern binds: `{a, b: [c, ...d]}` binds a, c and d. */
function boundNames(pattern: Pattern, into: Set<string>): void {
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) boundNames(property.type === 'RestElement' ? property.argument : property.value, into);
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element !== null) boundNames(element, into);
      break;
    case 'RestElement':
      boundNames(pattern.argument, into);
      break;
    case 'AssignmentPattern':
      boundNames(pattern.left, into);
      break;
    default:
      break;
  }
}

function applyEdits(code: string, edits: Edit[]): string {
  // Stable: two insertions at one place keep the order they were made in.
  const ordered = edits.map((edit, order) => ({edit, order})).sort((a, b) => a.edit.at - b.edit.at || a.order - b.order);
  let out = '';
  let position = 0;
  for (const {edit} of ordered) {
    out += code.slice(position, edit.at) + edit.text;
    position = edit.at + edit.length;
  }
  return out + code.slice(position);
}

/** esbuild's map, for the script: its first line (the names and the arrow) maps to nothing. */
function sourceMap(map: string): SourceMapPayload {
  const parsed = JSON.parse(map) as SourceMapPayload;
  return {...parsed, mappings: `;${parsed.mappings}`};
}

/**
 * `stack` with each `snippet-N.ts:LINE:COLUMN` of this snippet put back to where it is in what
 * the caller wrote, and the frames below the snippet (the session's own) left out.
 */
export function snippetStack(stack: string, snippet: Pick<CompiledSnippet, 'filename' | 'map' | 'callLine'>): string {
  const positions = new SourceMap(snippet.map);
  const call = `${snippet.filename}:${snippet.callLine}:`;
  const lines = stack.split('\n').filter((line) => !line.includes(call));
  const lastOwn = lines.findLastIndex((line) => line.includes(snippet.filename));
  const kept = lastOwn === -1 ? lines : lines.slice(0, lastOwn + 1);
  const at = new RegExp(`${snippet.filename.replace('.', '\\.')}:(\\d+):(\\d+)`, 'g');
  return kept
    .map((line) =>
      line.replace(at, (whole, line: string, column: string) => {
        const entry = positions.findEntry(Number(line) - 1, Number(column) - 1) as Partial<{originalLine: number; originalColumn: number}>;
        return entry.originalLine === undefined ? whole : `${snippet.filename}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
      }),
    )
    .join('\n');
}

/** esbuild's message, with the line it points at and a caret under the place. */
function syntaxError({errors}: TransformFailure): SnippetSyntaxError {
  const [{text, location}] = errors as [Message];
  const incomplete = /unexpected end of file|expected .* but found end of file/i.test(text);
  const caret = location === null ? '' : `\n  ${location.lineText}\n  ${' '.repeat(location.column)}^`;
  return new SnippetSyntaxError(`${transformErrorText(errors)}${caret}`, incomplete);
}

function countLines(text: string): number {
  let lines = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lines++;
  return lines;
}

/** The line, in what the caller wrote, of an offset in esbuild's output (the script's first line is the map's line 0). */
function snippetLine(map: SourceMapPayload, code: string, offset: number): number {
  const before = code.slice(0, offset);
  const entry = new SourceMap(map).findEntry(countLines(before), offset - before.lastIndexOf('\n') - 1) as Partial<{originalLine: number}>;
  return (entry.originalLine ?? countLines(before) - 1) + 1;
}
