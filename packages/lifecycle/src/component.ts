import { PlatformError } from "@invoice/errors";

/**
 * Anything with a lifetime: a Kafka consumer or producer, an HTTP server, a database pool.
 *
 * Both methods are idempotent:
 * - `start()` while starting or started returns the same outcome and starts nothing twice;
 *   `start()` after `stop()` rejects (components are single-use, build a new one instead).
 * - `stop()` is safe at any time: before `start()` (nothing to release), during `start()` (waits for it,
 *   then releases what it acquired), twice or concurrently (every caller awaits the same stop).
 *   After a failed `start()`, `stop()` still releases whatever was partially acquired.
 */
export interface Component {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `start()` after `stop()`: components are single-use. Not retriable: build a new component. */
export class ComponentStoppedError extends PlatformError {
  override readonly name = "ComponentStoppedError";
  declare readonly code: "COMPONENT_STOPPED";

  constructor(
    message = "component was stopped and cannot be started again",
    options: { cause?: unknown } = {},
  ) {
    super("COMPONENT_STOPPED", message, { retriable: false, cause: options.cause });
  }
}

export interface ComponentHooks {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Wraps plain start/stop functions into a {@link Component} with the idempotent semantics above, so each
 * component does not re-implement (and subtly break) the state machine.
 */
export function createComponent(hooks: ComponentHooks): Component {
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  return {
    start() {
      if (stopping) return Promise.reject(new ComponentStoppedError());
      starting ??= Promise.resolve().then(() => hooks.start());
      return starting;
    },
    stop() {
      stopping ??= (async () => {
        if (starting === undefined) return;
        // Whatever start acquired must be released, even when start itself failed part-way.
        await starting.catch(() => undefined);
        await hooks.stop();
      })();
      return stopping;
    },
  };
}
