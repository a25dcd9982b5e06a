// ESLint flat config: eslint's and typescript-eslint's recommended rules, syntax-only (no type
// information: the type-checked presets would run the compiler again, and `npm run typecheck`
// already does). Formatting is Prettier's job (`npm run format:check`), not ESLint's.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['node_modules/', 'dist/', 'data/', 'coverage/', 'test-results/']),
  {
    files: ['{src,test,scripts,bench,migrations,seeds}/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // `_name` says "deliberately unused": a required parameter position, a destructured field
      // left out of a rest object, an `infer _X` placeholder.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `declare global { namespace Express { … } }` is how @types/express is augmented (req.user);
      // that form is allowed, a namespace of our own is still an error.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },
  {
    // A migration takes `Kysely<any>` (Kysely's documented signature): it must keep working after
    // `Database` changes, and a landed migration is never edited.
    files: ['migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The jest configs are CommonJS files read by node; this file is an ES module.
    files: ['*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
);
