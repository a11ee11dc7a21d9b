/**
 * Port: exclusive locks on Snowflake worker ids, held by a session (a database connection).
 *
 * Failure semantics, which the lease manager (worker-id-lease.ts) relies on:
 * - a lock is held exactly as long as the session that took it: when the session ends, for any reason
 *   (closed, terminated by the server, the server restarted, the network dropped and the server noticed),
 *   the lock is released and another session may take it;
 * - `tryLock` never waits: it answers at once whether this session now holds the id;
 * - every method rejects when the session is unusable; `onLost` fires (once) when the session ends
 *   without `close()`, and may fire late (a silent network partition) — which is why the manager
 *   also proves the lock with `isLocked` on a heartbeat and stops trusting it when proofs stop.
 */
export interface WorkerIdLocks {
  openSession(): Promise<WorkerIdLockSession>;
}

export interface WorkerIdLockSession {
  /** Takes `workerId` for this session if no other session holds it; true when it is now ours. */
  tryLock(workerId: number): Promise<boolean>;
  /** Whether this session still holds `workerId` (a round trip: also proves the session is alive). */
  isLocked(workerId: number): Promise<boolean>;
  /** Worker ids some session holds now: a hint for choosing candidates; `tryLock` decides. */
  lockedIds(): Promise<ReadonlySet<number>>;
  unlock(workerId: number): Promise<void>;
  /** Ends the session (releasing its locks). Never rejects; safe to call twice. */
  close(): Promise<void>;
  /** Registers the listener for the session ending without `close()`. */
  onLost(listener: (error: Error) => void): void;
}
