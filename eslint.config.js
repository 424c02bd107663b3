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
  { name: 'csv-parse', home: 'src/tracklist/**' },
  { name: 'csv-parse/*', home: 'src/tracklist/**' },
];

// Anchored regexes, not gitignore-style groups: the group "telegram" also matched our own
// src/telegram/ folder ("../telegram/login.js"), not only the package.
const vendorRegex = (name) => `^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('/*', '/.+')}$`;
const restrictedEverywhere = vendorHomes.map((v) => ({
  regex: vendorRegex(v.name),
  message: `${v.name} may only be imported under ${v.home}`,
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'drizzle/**', 'data/**', 'downloads/**', 'dist/**'] },
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
        { patterns: restrictedEverywhere.filter((r) => !vendorHomes.some((v) => v.home === home && vendorRegex(v.name) === r.regex)) },
      ],
    },
  })),
  {
    files: ['src/domain/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'domain/ imports nothing but itself' }] }] },
  },
  {
    // The engine depends only on interfaces it defines (ports.ts) and on plain domain types.
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...restrictedEverywhere,
            { regex: '^\\.\\./(?!domain/|config\\.js$|logger\\.js$)', message: 'engine/ imports only domain/, config and logger' },
            { regex: '^(grammy|telegram|better-sqlite3|drizzle-orm|music-metadata|fuse\\.js)(/|$)', message: 'engine/ uses no vendor library' },
          ],
        },
      ],
    },
  },
);
