import type {Message, TransformFailure} from 'esbuild';

/** What esbuild throws for code it cannot compile (as opposed to its service having died). */
export function isTransformFailure(error: unknown): error is TransformFailure {
  return error instanceof Error && Array.isArray((error as Partial<TransformFailure>).errors) && (error as TransformFailure).errors.length > 0;
}

/** `file:line:column: text` for the first error (column counted from 1, as editors do), not esbuild's banner. */
export function transformErrorText(errors: readonly Message[]): string {
  const [first] = errors;
  const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return `${where}${first?.text ?? 'invalid syntax'}${more}`;
}
