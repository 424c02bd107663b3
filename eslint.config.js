// Lint doubles as an architecture check: each vendor library may be imported from one folder only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vendorHomes = [
  { name: 'grammy', home: 'src/bot/**' },
  { name: '@grammyjs/*', home: 'src/bot/**' },
  { name: 'telegram', home: 'src/telegram/**' },
  { name: 'telegram/*', home: 'src/telegram/**' },
  { name: 'better-sqlite3', home: 'src/db/**' },
  { name: 'drizzle-orm', home: 'src/db/**' },
  { name: 'drizzle-orm/*', home: 'src/db/**' },
  { name: 'music-metadata', home: 'src/library/**' },
  { name: '@spotify/web-api-ts-sdk', home: 'src/spotify/**' },
  { name: 'spotify-uri', home: 'src/spotify/**' },
];

const restrictedEverywhere = vendorHomes.map((v) => ({
  group: [v.name],
  message: `${v.name} may only be imported under ${v.home}`,
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'drizzle/**', 'data/**', 'downloads/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: restrictedEverywhere }] },
  },
  ...[...new Set(vendorHomes.map((v) => v.home))].map((home) => ({
    files: [home],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: restrictedEverywhere.filter((r) => !vendorHomes.some((v) => v.home === home && v.name === r.group[0])) },
      ],
    },
  })),
  {
    files: ['src/domain/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['*', '!./*'], message: 'domain/ imports nothing but itself' }] }] },
  },
);
