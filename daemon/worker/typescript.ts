/** The files compiled as TypeScript, by extension (lower case), with esbuild's loader for each. */
const TYPESCRIPT_LOADERS: Readonly<Record<string, 'ts' | 'tsx'>> = {'.ts': 'ts', '.mts': 'ts', '.tsx': 'tsx'};

/** esbuild's loader for a TypeScript file's extension (".ts"), or undefined for any other file. */
export function typescriptLoader(extension: string): 'ts' | 'tsx' | undefined {
  return Object.hasOwn(TYPESCRIPT_LOADERS, extension.toLowerCase()) ? TYPESCRIPT_LOADERS[extension.toLowerCase()] : undefined;
}
