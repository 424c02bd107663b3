// Loaded with `node --import` in front of bin/crate.js: writes every module URL the process resolved
// to $CRATE_RECORD_LOADS when it exits (tests check which libraries a command really loads), then
// Node's own modules it loaded internally, as `node-internal:<id>` (e.g. the bundled undici).
import { writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

const seen = new Set();
nodeModule.registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    seen.add(result.url);
    return result;
  },
});
process.on('exit', () => {
  const internal = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `node-internal:${m.slice('NativeModule '.length)}`);
  writeFileSync(process.env.CRATE_RECORD_LOADS, [...seen, ...internal].join('\n'));
});
