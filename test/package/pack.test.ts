/**
 * `npm pack` makes an installable package: the built service, the migrations, the docs and the unit
 * file — never tests, fixtures or local state.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');

describe('npm pack', () => {
  it('ships bin, dist, the migrations, README, LICENSE and contrib; no tests, fixtures, sources or data', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const needed of ['bin/crate.js', 'bin/node-flags.js', 'bin/node-url.cjs', 'README.md', 'LICENSE', 'package.json', 'contrib/crate.service', 'drizzle/meta/_journal.json']) {
      expect(files, needed).toContain(needed);
    }
    expect(files.some((f) => /^drizzle\/\d{4}_.*\.sql$/.test(f))).toBe(true);
    // CI builds before it tests (.ci/run); a plain checkout has no dist/ to check.
    if (existsSync(path.join(root, 'dist', 'cli.js'))) expect(files).toContain('dist/cli.js');
    const forbidden = files.filter((f) => /^(test|src|data|downloads|node_modules|\.ci|\.git)\//.test(f) || /\.(sqlite|part|flac)$/.test(f) || f === '.env');
    expect(forbidden).toEqual([]);
  });
});
