import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'templates/', 'coverage/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', structuredClone: 'readonly', performance: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-process-exit': 'off',
    },
  },
  {
    files: ['daemon/**', 'src/client/**', 'src/protocol/**', 'src/config/**', 'src/lib/**', 'tui/**'],
    rules: {'no-restricted-properties': ['error', {object: 'process', property: 'exit', message: 'Only the command layer (bin, src/commands, daemon/main.ts) may exit.'}]},
  },
  {files: ['daemon/main.ts', 'daemon/worker/**', 'daemon/sessions/session-host.ts'], rules: {'no-restricted-properties': 'off'}},
  // bin/run.js is CommonJS (bin/package.json) so that Node starts it without its ESM loader.
  {
    files: ['bin/run.js'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', __dirname: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
);
