/**
 * The documented shutdown order (STYLE.md "Logging and shutdown"), as named phases. Every shutdown step
 * says which phase it belongs to; the manager runs the phases in this order whatever the order in which
 * the steps were registered, so a component a service adds late can never stop before HTTP intake.
 *
 * - `intake`: stop taking new work. The HTTP server stops accepting and finishes the requests it has;
 *   consumers stop fetching. A component whose own stop also drains and commits (a processing consumer:
 *   pause, drain, commit, leave the group) belongs here, because what it does first is stop intake.
 * - `drain`: wait for in-flight work the intake handed on (worker pools, a running expiry scan).
 * - `commit`: commit consumer offsets of the work drained.
 * - `flush`: flush producers, so every record handed to them is acknowledged by the broker.
 * - `close`: close the clients everything above used: PostgreSQL, Redis, Kafka admin.
 *
 * Steps of one phase run concurrently (an HTTP server and a consumer stop intake at the same time);
 * a phase starts only when every step of the previous one has settled or run out of time.
 */
export const SHUTDOWN_PHASES = ["intake", "drain", "commit", "flush", "close"] as const;

export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export function isShutdownPhase(value: unknown): value is ShutdownPhase {
  return typeof value === "string" && (SHUTDOWN_PHASES as readonly string[]).includes(value);
}
