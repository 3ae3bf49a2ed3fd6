// ESLint for the TypeScript in src/ and test/ (typescript-eslint's recommended rules, with
// types), and the plain JavaScript around it (scripts/, bin/minirun, test/runc-suite, the
// vitest configs). `npm run lint` runs it, with prettier --check and clang-format.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // What the build writes, and native/tools/generate-ts.cc's output (generated, not edited).
    ignores: ['node_modules/', 'dist/', 'build/', 'rootfs-fixtures/out/', 'src/native/*.generated.ts'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'test/tsconfig.json' })],
    },
    rules: {
      // One direction of calls (src/cli -> domain modules -> native): no module reaches itself
      // again through its imports. Type-only imports (`import type`, or every specifier a type)
      // are not counted: the rule always skips them, they are erased from the JavaScript.
      'import-x/no-cycle': 'error',
      // `_` names an argument a callback's signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The tests edit config.json and read the CLI's JSON output as untyped objects on purpose
    // (invalid shapes included: that is what many of them check), so `any` is allowed there.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // CommonJS scripts, run by node as they are.
    files: ['scripts/*.js', 'test/runc-suite/*.js', 'bin/minirun'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
);
