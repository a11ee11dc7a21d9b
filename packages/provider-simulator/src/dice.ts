import type { LatencyConfig } from "./config.ts";

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny seeded generator, so a chaos run with `seed` set replays the same faults. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A standard normal variate (Box-Muller). */
function normal(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** One latency draw in whole milliseconds. */
export function sampleLatencyMs(latency: LatencyConfig, random: Random): number {
  switch (latency.kind) {
    case "fixed":
      return Math.round(latency.ms);
    case "uniform":
      return Math.round(latency.minMs + (latency.maxMs - latency.minMs) * random());
    case "lognormal":
      return Math.round(Math.min(latency.maxMs, latency.medianMs * Math.exp(latency.sigma * normal(random))));
  }
}
