// Types of esbuild-plugins.js for the tests that import it.
import type {Plugin} from 'esbuild';

export const NEVER_IN_CI: string;
export const aliases: Record<string, string>;
export const unusedIpcTransports: Plugin;
export const LAZY_FOR_OCLIF: string[];
export const lazyOclifDependencies: Plugin;
export const OCLIF_PLUGIN_MODULE: RegExp;
export const LOCALE_SORT: string;
export function sortCommandsByCodePoint(source: string, path: string): string;
export const codePointCommandSort: Plugin;
export const debugOnlyWhenAsked: Plugin;
export const sharedPlugins: Plugin[];
export const cliPlugins: Plugin[];
