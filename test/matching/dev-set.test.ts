import { describe, expect, it } from 'vitest';
import { attributeFiles } from '../../src/matching/attribute.js';
import { toIncomingFiles, toPendingRequests } from '../../src/matching/eval-format.js';
import { loadDevSet, scoreDevSet } from '../bench/match.js';

// ../shared/eval/match-dev.json: the crate-match-eval/1 dev set (CRATE_MATCH_EVAL overrides the path).
const data = loadDevSet();

describe('dev set', () => {
  it('scores 100%: every attribution right, no wrong track, no false accept, every menu pick right', () => {
    const s = scoreDevSet(data);
    expect(s.failures).toEqual([]);
    expect(s).toMatchObject({ correct: s.files, wrongTrack: 0, falseAccept: 0, menuRight: s.menus });
    expect(s.files).toBeGreaterThan(200);
    expect(s.menus).toBeGreaterThan(5);
  });

  it('does not depend on the order requests and files arrive in', () => {
    for (const s of data.scenarios) {
      if (s.kind !== 'attribution') continue;
      const forward = attributeFiles(toPendingRequests(s), toIncomingFiles(s.files));
      const backward = attributeFiles(toPendingRequests(s).reverse(), toIncomingFiles(s.files).reverse());
      expect(backward, s.id).toEqual(forward);
    }
  });

  it('keeps every answer when the files lose their tags except where the tags were the only evidence', () => {
    // Names alone must never produce a wrong track or a false accept.
    for (const s of data.scenarios) {
      if (s.kind !== 'attribution') continue;
      const bare = toIncomingFiles(s.files).map((f) => ({ id: f.id, fileName: f.fileName }));
      const got = attributeFiles(toPendingRequests(s), bare);
      for (const f of bare) {
        const want = s.expected?.[f.id] ?? null;
        if (got[f.id] !== null) expect(got[f.id], `${s.id} ${f.id}`).toBe(want);
      }
    }
  });
});
