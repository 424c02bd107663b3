/** Virtual time for tests: the same clock `crate debug exchange` replays scenarios on. */
export { VirtualClock as FakeClock } from '../../src/engine/virtual-clock.js';
