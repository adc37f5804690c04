import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const natsOnlyInMessaging = {
  group: ['@nats-io/*'],
  message: 'Only libs/messaging (and the test harness) talk to NATS; use the Nest transport.',
};

const SERVICES = ['gateway', 'orchestrator', 'builder', 'quality', 'deployer', 'canary', 'notifier'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.tools/**',
      '.nx/**',
      'coverage/**',
      '**/generated/**',
      // Its own package with its own lint configuration.
      'examples/sample-app/**',
      // Code with lint problems on purpose: the quality gate's tests run the sample app's ESLint on it.
      'libs/quality-gate/src/testing/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...[
    { files: ['libs/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'], own: undefined },
    ...SERVICES.map((service) => ({ files: [`services/${service}/**/*.ts`], own: service })),
  ].map(({ files, own }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            natsOnlyInMessaging,
            { group: ['@aviary/*/src/*'], message: 'Import a package by its name, not its sources.' },
            {
              group: SERVICES.filter((service) => service !== own).map((service) => `@aviary/${service}`),
              message:
                'A library never imports a service, and a service never imports another: share events.',
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['libs/messaging/**/*.ts', 'test/support/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aviary/*/src/*'], message: 'Import a package by its name, not its sources.' },
            {
              group: SERVICES.map((service) => `@aviary/${service}`),
              message: 'A library never imports a service: share events.',
            },
          ],
        },
      ],
    },
  },
  {
    // The standalone mode composes the seven services in one process: the one place that imports them all.
    files: ['apps/standalone/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            natsOnlyInMessaging,
            { group: ['@aviary/*/src/*'], message: 'Import a package by its name, not its sources.' },
          ],
        },
      ],
    },
  },
  {
    // A benchmark measures a service's internals in-process, beside the floor it is compared with.
    files: ['bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aviary/*/src/*'], message: 'Import a package by its name, not its sources.' },
          ],
        },
      ],
    },
  },
  {
    // Checks of the Dockerfile, compose file and Helm chart run each service's own configuration schema.
    files: ['test/deploy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            natsOnlyInMessaging,
            { group: ['@aviary/*/src/*'], message: 'Import a package by its name, not its sources.' },
          ],
        },
      ],
    },
  },
  {
    files: ['services/**/*.ts', 'libs/**/*.ts', 'apps/**/*.ts'],
    ignores: ['**/config/**', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in a config/ module only.' },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
