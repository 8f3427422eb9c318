/**
 * Loads an ES module at run time. bin/run.js runs the CLI from a code-cached script, where a
 * plain `import()` has no loader to call; it hands in its own `import` through `main()`.
 */
let importModule: (url: string) => Promise<unknown> = (url) => import(url);

export function setModuleLoader(loader: (url: string) => Promise<unknown>): void {
  importModule = loader;
}

export function loadModule<T>(url: string): Promise<T> {
  return importModule(url) as Promise<T>;
}
