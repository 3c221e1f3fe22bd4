// ESLint: TypeScript rules plus the layering rule that keeps dependencies flowing one way
// (renderer -> common; preload -> common; main, server, cli -> engine -> compute -> common; the
// renderer's compute worker -> compute), as VS Code's
// code-layering rule does — for .svelte components too. Import cycles are checked by
// scripts/check-cycles.mjs, which `npm run lint` runs after ESLint.
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import svelteConfig from './svelte.config.mjs';

const layer = (files, forbidden, why, ignores = []) => ({
  files,
  ignores: ['**/*.test.ts', ...ignores],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((group) => ({ group: [group], message: why })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'renderer/dist/**', '**/_scratch/**', 'engine/import/fixtures/**'] },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { projectService: false, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig } },
    // Plain Maps and Sets in the renderer are deliberate: caches and bookkeeping that must not
    // trigger redraws. Reactive state is declared with $state.
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.cjs', 'scripts/**/*.mjs'], languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  layer(['common/**/*.ts'], ['**/engine/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/server/**', '**/cli/**', 'node:*', 'electron', '@tensorflow/*'],
    'common/ is pure TypeScript: no Node, DOM, Electron or TF.js imports.'),
  layer(['compute/**/*.ts'], ['**/engine/**', '**/main/**', '**/preload/**', '**/renderer/**', '**/server/**', '**/cli/**', 'node:*', 'electron'],
    'compute/ is the training loop shared by the engine and the page\'s compute worker: common/ and TF.js only, no Node or DOM.'),
  layer(['engine/**/*.ts'], ['**/main/**', '**/preload/**', '**/renderer/**', '**/server/**', '**/cli/**', 'electron'],
    'engine/ depends only on common/ (and TF.js, Node); it never imports electron or a host.'),
  layer(['renderer/**/*.ts', 'renderer/**/*.svelte'], ['**/engine/**', '**/main/**', '**/preload/**', '**/server/**', '**/cli/**', 'electron', 'node:*', '@tensorflow/*'],
    'The renderer talks to the engine only through the Backend contract in common/.', ['renderer/src/compute-worker/**']),
  layer(['renderer/src/compute-worker/**/*.ts'], ['**/engine/**', '**/main/**', '**/preload/**', '**/server/**', '**/cli/**', '**/components/**', '**/views/**', '**/state/**', 'electron', 'node:*'],
    'The compute worker runs compute/ on TF.js\'s GPU backends; it knows nothing of the engine or the page\'s views.'),
  layer(['preload/**/*.ts'], ['**/engine/**', '**/main/**', '**/renderer/**', '**/server/**', '**/cli/**'],
    'preload/ exposes the contract from common/ and nothing else.'),
  layer(['server/**/*.ts', 'cli/**/*.ts'], ['**/main/**', '**/preload/**', '**/renderer/**', 'electron'],
    'Hosts other than Electron never import electron or the renderer.'),
  layer(['main/**/*.ts'], ['**/renderer/**', '**/server/**', '**/cli/**'],
    'main/ hosts the engine; it does not import other hosts or the renderer.'),
);
