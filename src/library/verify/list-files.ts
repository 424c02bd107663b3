/** What `crate verify PATH…` checks: each file named, and every *.flac under each folder named. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export type ListedPath = { ok: true; files: string[] } | { ok: false; missing: string[] };

export async function listFilesToVerify(paths: string[], cwd: string): Promise<ListedPath> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const full = path.resolve(cwd, p);
    let st;
    try {
      st = await stat(full);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) files.push(...(await flacsUnder(full)));
    else files.push(full);
  }
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, files: [...new Set(files)] };
}

/** Every *.flac below `dir`, sorted, hidden entries (our partial downloads among them) skipped. */
async function flacsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && /\.flac$/i.test(e.name)) out.push(full);
    }
  };
  await walk(dir);
  return out;
}
