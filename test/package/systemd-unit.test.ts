/** contrib/crate.service is a unit systemd accepts, with the hardening the README promises. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const unit = path.join(import.meta.dirname, '..', '..', 'contrib', 'crate.service');

describe('contrib/crate.service', () => {
  it('has the user, folders, restart policy and hardening options', () => {
    const text = readFileSync(unit, 'utf8');
    for (const line of [
      'User=crate',
      'WorkingDirectory=/opt/crate',
      'EnvironmentFile=/etc/crate/crate.env',
      'Restart=on-failure',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/crate /srv/music',
      'PrivateTmp=yes',
    ]) {
      expect(text.split('\n'), line).toContain(line);
    }
  });

  it('passes systemd-analyze verify', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      console.warn('systemd-analyze is not installed here: the unit file was only checked by its text');
      return;
    }
    const run = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    // verify complains about ExecStart's binary when node is not at /usr/bin/node on this machine; nothing else may appear.
    const complaints = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.trim() !== '' && !/\/usr\/bin\/node/.test(l));
    expect(complaints).toEqual([]);
  });
});
