// @ts-check
// ESLint with typescript-eslint's type-aware rules (the strict and stylistic sets); formatting is
// Prettier's (eslint-config-prettier turns off the rules it owns). Each rule turned off or changed
// here says why; a per-line disable says why on its line.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'schema/', 'artifacts/', 'coverage/', 'prof/', 'profiles/', 'results/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      // tsconfig.check.json holds every file: src, workers, bench, test and the config files.
      parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Typed-array and array reads are written `a[i]!` on purpose, in noUncheckedIndexedAccess style
      // (the `!` marks a read the code keeps in range), so a rule against `!`, or calling it redundant
      // under the build's noUncheckedIndexedAccess: false, fights the code's own convention.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Under noUncheckedIndexedAccess: false an index read never types as undefined, so this rule
      // calls the real bounds checks (`const last = a[a.length - 1]; if (!last) …`, `argv[0] ===
      // undefined`) unnecessary: all of its findings here were such checks or deliberate guards.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Numbers in messages and table cells are the simulator's output; objects, undefined and
      // unions with them are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `() => rmSync(dir)` and `(code) => resolve(code)` callbacks are idiomatic; `return voidCall()`
      // in a block is still refused.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // An empty method is an interface hook this implementation does not need (the naive policy's
      // waitEnded, a one-pCPU platform's wakeIdlePcpu); an empty function elsewhere still needs a
      // comment inside saying why.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['methods', 'asyncMethods'] }],
      // A key destructured away (`const { environment: _host, ...rest } = results`) and a binding
      // kept only for the type checker (`const _sameShapes: [...] = [true, ...]`) are unused on
      // purpose; the leading underscore says so.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_' }],
    },
  },
  prettier,
);
