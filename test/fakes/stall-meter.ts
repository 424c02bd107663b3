/**
 * Is the main thread blocked? A timer ticks every few ms; between two ticks we note the wall-clock
 * gap and the CPU time the main thread itself used (process.threadCpuUsage). A blocked event loop
 * shows as CPU time (it is busy running something); a loaded machine that does not schedule us
 * shows as a wall gap with no CPU time. The CPU figure is the stall we cause; the wall gap is the
 * stall a user would feel on this machine, and is reported beside it.
 */
export interface StallReading {
  /** Longest main-thread CPU time between two ticks (ms): our own blocking. */
  maxBusyMs: number;
  /** Longest wall-clock gap between two ticks beyond the interval (ms). */
  maxWallGapMs: number;
}

export function startStallMeter(intervalMs = 5): { stop(): StallReading } {
  let lastWall = performance.now();
  let lastCpu = process.threadCpuUsage();
  let maxBusyMs = 0;
  let maxWallGapMs = 0;
  const sample = () => {
    const wall = performance.now();
    const cpu = process.threadCpuUsage(lastCpu);
    maxBusyMs = Math.max(maxBusyMs, (cpu.user + cpu.system) / 1000);
    maxWallGapMs = Math.max(maxWallGapMs, wall - lastWall - intervalMs);
    lastWall = wall;
    lastCpu = process.threadCpuUsage();
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return { maxBusyMs, maxWallGapMs: Math.max(0, maxWallGapMs) };
    },
  };
}
