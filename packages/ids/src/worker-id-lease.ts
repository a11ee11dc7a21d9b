import type { Registry } from "@invoice/observability";
import { assertWorkerId, createSnowflakeGenerator, type IdGenerator } from "./snowflake.ts";
import { WorkerIdLeaseError } from "./snowflake-errors.ts";
import { MAX_WORKER_ID } from "./snowflake-layout.ts";
import { leaseMetrics } from "./worker-id-lease-metrics.ts";
import type { WorkerIdLockSession, WorkerIdLocks } from "./worker-id-locks.ts";

/** The slice of a pino logger the lease uses. */
export interface LeaseLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface WorkerIdLeaseOptions {
  locks: WorkerIdLocks;
  /** The configured APP_ENV_INVOICE_WORKER_ID: taken when free, else the next free id after it. */
  preferred: number;
  logger: LeaseLogger;
  /** Registers the lease's metrics (held, worker id, losses, refused ids) when given. */
  metrics?: Registry;
  /** Time between proofs that the lock is still held. Default 1000. */
  heartbeatIntervalMs?: number;
  /**
   * The lease counts as held for this long after the last proof was sent. Keep it well below the time
   * the server needs to declare a silent connection dead (the adapter's keepalive), so a partitioned
   * holder stops issuing before its worker id can be given to another process. Default 5000.
   */
  validityMs?: number;
  /**
   * After a lock is granted, ids are issued only `validityMs` plus this much later. The validity part:
   * the server may have released the lock before its previous holder heard of it (a failover to a
   * replica, which has no advisory locks; a terminated backend whose goodbye the network dropped), and
   * that holder keeps issuing until its own validity window ends. This part: the previous holder's
   * clock may be ahead of ours, and its last ids must stay in the past for us. Covers clock skew up to
   * this between pods. Default 1000.
   */
  handoverGuardMs?: number;
  /** `acquireWorkerIdLease` gives up after this long without a lease. Default 30 000. */
  acquireTimeoutMs?: number;
  /** Re-lease attempts after a loss back off from `initial` to `max` ms. Default 250 → 10 000. */
  retryDelayMs?: { initial: number; max: number };
  /** The generator's wall clock (ids carry it). Injectable for tests. */
  now?: () => number;
}

/**
 * Exclusive use of one Snowflake worker id by this process, for as long as the lease holds.
 *
 * `generator` issues ids only while `isHeld()`; otherwise it throws a retriable
 * {@link WorkerIdLeaseError} and the caller's retry path takes over. When the lease is lost (the
 * connection dropped, the server restarted, proofs stopped arriving) the manager logs it, counts it,
 * and keeps trying to take a worker id again — its previous one first, then the preferred one, then
 * any free one. The worker id may therefore change during the process's life; ids stay unique.
 */
export interface WorkerIdLease {
  /** The worker id held now; undefined while no lease is held. */
  readonly workerId: number | undefined;
  /** True while ids may be issued. */
  isHeld(): boolean;
  readonly generator: IdGenerator;
  /** Stops renewing, releases the worker id and closes the connection. Idempotent; never rejects. */
  release(): Promise<void>;
}

type Status = "held" | "lost" | "released";

interface Held {
  session: WorkerIdLockSession;
  workerId: number;
}

/**
 * Takes a worker id lease: resolves once a worker id is locked and the handover wait (`validityMs` +
 * `handoverGuardMs`) has passed,
 * rejects with {@link WorkerIdLeaseError} after `acquireTimeoutMs` without one.
 */
export async function startWorkerIdLease(options: WorkerIdLeaseOptions): Promise<WorkerIdLease> {
  assertWorkerId(options.preferred);
  const settings = {
    heartbeatIntervalMs: positive(options.heartbeatIntervalMs ?? 1_000, "heartbeatIntervalMs"),
    validityMs: positive(options.validityMs ?? 5_000, "validityMs"),
    handoverGuardMs: nonNegative(options.handoverGuardMs ?? 1_000, "handoverGuardMs"),
    acquireTimeoutMs: positive(options.acquireTimeoutMs ?? 30_000, "acquireTimeoutMs"),
    retryInitialMs: positive(options.retryDelayMs?.initial ?? 250, "retryDelayMs.initial"),
    retryMaxMs: positive(options.retryDelayMs?.max ?? 10_000, "retryDelayMs.max"),
  };
  if (settings.heartbeatIntervalMs >= settings.validityMs) {
    throw new RangeError("heartbeatIntervalMs must be shorter than validityMs");
  }
  // A previous holder may trust its lease for validityMs after its last proof, which the server may
  // have answered just before it released the lock (failover, lost goodbye): stay clear of all of it.
  const handoverMs = settings.validityMs + settings.handoverGuardMs;
  const now = options.now ?? Date.now;
  // The lease's own windows (validity, handover) run on a monotonic clock: a wall clock stepped back by
  // NTP must not stretch a lease.
  const elapsed = () => performance.now();
  const { logger, locks, preferred } = options;
  const metrics = leaseMetrics(options.metrics);

  let status: Status = "lost";
  let current: Held | undefined;
  let lastProofAt = Number.NEGATIVE_INFINITY;
  let usableAt = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let retryDelay = settings.retryInitialMs;
  let previous: number | undefined;
  const generators = new Map<number, IdGenerator>();

  const isHeld = () => {
    if (status !== "held") return false;
    const at = elapsed();
    return at >= usableAt && at - lastProofAt <= settings.validityMs;
  };

  const schedule = (work: () => Promise<void>, ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void work(), ms);
    timer.unref();
  };

  const adopt = (held: Held, proofSentAt: number) => {
    current = held;
    previous = held.workerId;
    status = "held";
    lastProofAt = proofSentAt;
    usableAt = elapsed() + handoverMs;
    retryDelay = settings.retryInitialMs;
    metrics.held(held.workerId);
    held.session.onLost((error) => loseLease(held, error, "connection lost"));
    schedule(heartbeat, settings.heartbeatIntervalMs);
  };

  const heartbeat = async () => {
    const held = current;
    if (status !== "held" || held === undefined) return;
    const sentAt = elapsed();
    try {
      const stillLocked = await withTimeout(held.session.isLocked(held.workerId), settings.validityMs);
      if (current !== held || status !== "held") return;
      if (!stillLocked) {
        loseLease(held, new Error("the advisory lock is no longer held by the lease session"), "lock gone");
        return;
      }
      lastProofAt = sentAt;
      schedule(heartbeat, settings.heartbeatIntervalMs);
    } catch (error) {
      loseLease(held, error, "heartbeat failed");
    }
  };

  const loseLease = (held: Held, error: unknown, reason: string) => {
    if (current !== held || status !== "held") return;
    status = "lost";
    current = undefined;
    metrics.lost(held.workerId);
    logger.error(
      { workerId: held.workerId, reason, err: error },
      "worker id lease lost; refusing to issue ids until a worker id is leased again",
    );
    void held.session.close();
    schedule(renew, settings.retryInitialMs);
  };

  const renew = async () => {
    if (status !== "lost") return;
    try {
      const sentAt = elapsed();
      const held = await takeWorkerId(locks, [previous, preferred]);
      if (status !== "lost") {
        await held.session.close();
        return;
      }
      adopt(held, sentAt);
      logger.info({ workerId: held.workerId, preferred }, "worker id lease re-acquired");
    } catch (error) {
      if (status !== "lost") return;
      logger.warn({ err: error, retryInMs: retryDelay }, "worker id lease renewal failed; retrying");
      schedule(renew, retryDelay);
      retryDelay = Math.min(retryDelay * 2, settings.retryMaxMs);
    }
  };

  const next = (): bigint => {
    if (!isHeld() || current === undefined) {
      metrics.refused();
      throw new WorkerIdLeaseError(
        status === "released"
          ? "worker id lease was released (shutting down); no more ids from this process"
          : "no worker id lease is held; refusing to issue ids that could collide",
        { code: status === "released" ? "WORKER_ID_LEASE_RELEASED" : "WORKER_ID_LEASE_NOT_HELD" },
      );
    }
    const { workerId } = current;
    let generator = generators.get(workerId);
    if (generator === undefined) {
      generator = createSnowflakeGenerator({ workerId, clock: now });
      generators.set(workerId, generator);
    }
    return generator.next();
  };

  let releasing: Promise<void> | undefined;
  const release = () => {
    releasing ??= (async () => {
      status = "released";
      clearTimeout(timer);
      const held = current;
      current = undefined;
      metrics.released();
      if (held === undefined) return;
      await withTimeout(held.session.unlock(held.workerId), 2_000).catch(() => undefined);
      await held.session.close();
      logger.info({ workerId: held.workerId }, "worker id lease released");
    })();
    return releasing;
  };

  const lease: WorkerIdLease = {
    get workerId() {
      return isHeld() ? current?.workerId : undefined;
    },
    isHeld,
    generator: { next, nextString: () => next().toString() },
    release,
  };

  const deadline = elapsed() + settings.acquireTimeoutMs;
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    const sentAt = elapsed();
    try {
      const held = await takeWorkerId(locks, [preferred]);
      adopt(held, sentAt);
      const fields = { workerId: held.workerId, preferred, handoverMs };
      if (held.workerId === preferred) logger.info(fields, "worker id lease acquired");
      else logger.warn(fields, "preferred worker id is held by another process; leased another one");
      break;
    } catch (error) {
      lastError = error;
      const wait = Math.min(settings.retryInitialMs * 2 ** attempt, settings.retryMaxMs);
      if (elapsed() + wait > deadline) {
        throw new WorkerIdLeaseError(
          `no worker id lease within ${settings.acquireTimeoutMs} ms (preferred ${preferred})`,
          {
            code: error instanceof WorkerIdLeaseError ? error.code : "WORKER_ID_LEASE_UNAVAILABLE",
            cause: lastError,
          },
        );
      }
      logger.warn({ err: error, retryInMs: wait, preferred }, "worker id lease not acquired yet; retrying");
      await sleep(wait);
    }
  }
  // Timers may fire a fraction of a millisecond before performance.now() reaches their target.
  while (elapsed() < usableAt) await sleep(Math.ceil(usableAt - elapsed()));
  return lease;
}

/**
 * Opens a session and locks the first free worker id among `preferences` (in order), then the ids
 * after the last preference, wrapping around 0..1023. Rejects with NO_FREE_WORKER_ID when none is free.
 */
async function takeWorkerId(locks: WorkerIdLocks, preferences: Array<number | undefined>): Promise<Held> {
  const session = await locks.openSession();
  try {
    const taken = await session.lockedIds();
    for (const workerId of candidateOrder(preferences, taken)) {
      if (await session.tryLock(workerId)) return { session, workerId };
    }
  } catch (error) {
    await session.close();
    throw error;
  }
  await session.close();
  throw new WorkerIdLeaseError(`all ${MAX_WORKER_ID + 1} worker ids are leased by other processes`, {
    code: "NO_FREE_WORKER_ID",
  });
}

/** Preferences first, then every other id from the last preference upwards, skipping known-taken ones. */
export function candidateOrder(
  preferences: ReadonlyArray<number | undefined>,
  taken: ReadonlySet<number>,
): number[] {
  const wanted = preferences.filter((id): id is number => id !== undefined);
  const start = (wanted.at(-1) ?? 0) + 1;
  const order = [...wanted];
  for (let offset = 0; offset <= MAX_WORKER_ID; offset++) order.push((start + offset) % (MAX_WORKER_ID + 1));
  return [...new Set(order)].filter((id) => !taken.has(id));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timeout: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timeout = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timeout.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timeout));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}
