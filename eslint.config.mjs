// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'libs/*/dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'test-output/**',
      'eslint.config.mjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Each library has one entry (jwt-bearer a second, `testing`); the rest is internal to it.
      // dependency-cruiser (.dependency-cruiser.cjs) checks the same for relative paths, and the
      // folder graph; this covers the specs it does not cruise.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^@nest-identity/(shared/(?!hosting$)|token-client/(?!testing$)|server/(?!standalone$))',
              message:
                'Import the library through its entry (@nest-identity/shared, @nest-identity/token-client).',
            },
            {
              regex: '^@nest-identity/jwt-bearer/(?!testing$)',
              message:
                'Import @nest-identity/jwt-bearer or @nest-identity/jwt-bearer/testing, not its internals.',
            },
          ],
        },
      ],
    },
  },
  {
    // The fresh app of the packages test has a tsconfig of its own, which resolves the packages
    // through their built declarations (test/packages/run.mjs builds them first); lint checks its
    // sources against the packages' sources instead, through the root tsconfig's paths.
    files: ['test/packages/app/**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: './tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    // Config and Jest hook files are CommonJS.
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
