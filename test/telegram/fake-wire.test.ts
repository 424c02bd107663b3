/**
 * The fake Telegram writes file parts in place (rpcResultFileBody) instead of through GramJS's
 * getBytes; these must be byte for byte what GramJS serialises, for every TL bytes length form
 * (1-byte length below 254, 4-byte from 254) and every padding.
 */
import bigInt from 'big-integer';
import { Api } from 'telegram';
import { describe, expect, it } from 'vitest';
import { rpcResultBody, rpcResultFileBody, type BodyWriter } from '../fakes/mtproto/wire.js';

const written = (body: BodyWriter): Buffer => {
  // Written at an offset inside a larger buffer, as into an encrypted message.
  const out = Buffer.alloc(body.length + 7, 0xaa);
  body.writeInto(out, 3);
  return out.subarray(3, 3 + body.length);
};

describe('rpcResultFileBody', () => {
  const msgId = bigInt('7300000000000000001');
  it.each([0, 1, 2, 3, 4, 252, 253, 254, 255, 256, 257, 4096, 1024 * 1024 - 1, 1024 * 1024])(
    'is GramJS’s rpc_result(upload.File) for %i bytes',
    (length) => {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff));
      const mtime = 1_760_000_000;
      const expected = written(
        rpcResultBody(msgId, new Api.upload.File({ type: new Api.storage.FileUnknown(), mtime, bytes }).getBytes()),
      );
      const actual = written(rpcResultFileBody(msgId, { mtime, length, fill: (out, at) => void bytes.copy(out, at) }));
      expect(actual.equals(expected)).toBe(true);
    },
  );
});
