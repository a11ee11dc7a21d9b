import { cdcStackRunning, stopCdcStack } from "../src/testing/index.ts";

/**
 * The CDC stack is started lazily by the first test file that needs it (ensureCdcStack: stack/cdc.sh
 * up, locked, so one Connect serves the whole run). This global setup only remembers whether it ran
 * before the run, and stops it afterwards when the run started it (unless KEEP_STACK=1), so a plain
 * `vitest run` neither leaves a JVM behind nor pays Connect's start when no CDC test is selected.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const wasRunning = await cdcStackRunning();
  return async () => {
    if (wasRunning || process.env.KEEP_STACK === "1") return;
    if (await cdcStackRunning()) await stopCdcStack();
  };
}
