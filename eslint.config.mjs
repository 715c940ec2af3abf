// Lint configuration: typescript-eslint recommended rules over every TypeScript file we own, with type-aware
// promise rules (a floating or misused promise loses its rejection or crashes the process).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.streamsoft/**', '.tools/**', '**/cdktf.out/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // tsconfig.json includes every TypeScript folder (a .ts file outside it fails lint, so add new folders
        // there); the few plain JavaScript files get TypeScript's default project.
        projectService: {
          allowDefaultProject: [
            '*.js',
            '*.mjs',
            'bin/*.js',
            'local/pipeline/*.cjs',
            'local/services/*.cjs',
            'metabase/assets/*.js',
          ],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['bin/**/*.js', '*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
