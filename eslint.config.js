// Lint: typescript-eslint + Vue, plus the one architectural rule that keeps the layers testable
// (VS Code's habit): imports may only go with the grain
//   renderer ──► shared ◄── electron/lab ◄── electron/main (+ preload)
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'http', 'zlib', 'url'];
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'build/resources/**', '**/.scratch/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict([
      { group: ['electron', 'electron/*'], message: 'shared/ runs everywhere: no Electron.' },
      { group: nodeBuiltins, message: 'shared/ runs in browsers too: no Node-only APIs.' },
      { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ depends on nothing above it.' },
    ]),
  },
  {
    files: ['electron/lab/**/*.ts'],
    rules: restrict([
      { group: ['electron', 'electron/*'], message: 'electron/lab is plain Node so it runs in the CLI and tests: no Electron.' },
      { group: ['**/renderer/**', '**/main/**', '**/preload/**'], message: 'electron/lab depends only on shared/.' },
    ]),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    rules: restrict([
      { group: ['electron', 'electron/*'], message: 'The renderer reaches the lab only through LabApi.' },
      { group: nodeBuiltins, message: 'The renderer is a sandboxed page: no Node APIs.' },
      { group: ['**/electron/**'], message: 'The renderer never imports from electron/: use LabApi.' },
    ]),
  },
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
