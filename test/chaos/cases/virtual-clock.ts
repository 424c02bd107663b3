import { FakeClock } from '../../fakes/fake-clock.js';

/**
 * The chaos cases' virtual time: test/fakes/fake-clock.ts (with `hold` for real I/O) starting on a
 * fixed date, so the wall-clock times in the owner's messages ("until 14:00 UTC") are stable.
 */
export class VirtualClock extends FakeClock {
  constructor(start = Date.UTC(2026, 4, 1, 12, 0, 0)) {
    super(start);
  }
}
