/**
 * Brands that mark values made by the SDK. They are registered symbols (`Symbol.for`) so a
 * check holds across copies of the SDK: the user's module imports dist/sdk.js while the
 * worker that inspects its exports is a separate bundle.
 */
export const TASK_BRAND: unique symbol = Symbol.for('capsule.task');
export const FATAL_BRAND: unique symbol = Symbol.for('capsule.fatalError');

/** A value returned by `task()`, as the worker sees it before knowing its types. */
export interface BrandedTask {
  readonly [TASK_BRAND]: true;
  readonly options: Readonly<Record<string, unknown>>;
  readonly run: (input: unknown, ctx: never) => unknown;
}

export function isTaskDefinition(value: unknown): value is BrandedTask {
  return typeof value === 'object' && value !== null && (value as Partial<BrandedTask>)[TASK_BRAND] === true;
}

export function isFatalError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as {[FATAL_BRAND]?: unknown})[FATAL_BRAND] === true;
}
