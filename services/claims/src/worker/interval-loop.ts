import { type Component, createComponent } from "@invoice/lifecycle";
import type { Logger } from "@invoice/observability";

/**
 * Runs `tick` now and then `intervalMs` after each run ends (runs never overlap). A failing tick is
 * logged and the loop goes on: a PostgreSQL or Redis outage pauses the work, it does not end it.
 * `stop()` waits for the run in flight.
 */
export function intervalLoop(
  name: string,
  intervalMs: number,
  tick: () => Promise<unknown>,
  logger: Logger,
): Component {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failing = false;

  const run = () => {
    running = tick()
      .then(() => {
        if (failing) logger.info({ loop: name }, "worker loop recovered");
        failing = false;
      })
      .catch((error: unknown) => {
        // One line per outage at warn, the repeats at debug, so an outage does not flood the logs.
        if (!failing) logger.warn({ loop: name, err: error }, "worker loop run failed; retrying");
        else logger.debug({ loop: name, err: error }, "worker loop run failed again");
        failing = true;
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };

  return createComponent({
    start: () => run(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  });
}
