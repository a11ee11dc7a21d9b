import type { ReadinessCheck } from "@invoice/http";

/**
 * A client main.ts builds, with what the service shell needs to run it: a readiness check for /ready
 * and a close step for the last shutdown phase. The factories here never block start-up on the
 * dependency being reachable: clients connect lazily and reconnect on their own, and /ready reports
 * what is down, so an orchestrator keeps the instance out of rotation instead of crash-looping it.
 */
export interface ServiceClient<T> {
  /** Name of its /ready check and of its shutdown step ("postgres", "redis", "kafka"...). */
  readonly name: string;
  readonly client: T;
  /** Resolves when the dependency answers. The service shell keeps one probe in flight (singleFlight). */
  readonly readinessCheck: ReadinessCheck;
  /**
   * The service keeps working without this dependency, degraded: /ready reports its check failed and
   * stays 200 ("degraded"). Only for a dependency whose every use has a documented fallback.
   */
  readonly optional?: boolean;
  /** Releases connections; called once, in the `close` phase, after everything that used the client. */
  close(): Promise<void>;
}
