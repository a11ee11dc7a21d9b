import pg from "pg";
import type { WorkerIdLockSession, WorkerIdLocks } from "./worker-id-locks.ts";

/**
 * Namespace of the worker id locks in PostgreSQL's two-key advisory lock space
 * (`pg_advisory_lock(namespace, workerId)`, shown in pg_locks as classid = namespace, objid = workerId,
 * objsubid = 2). "SNFW" in ASCII. Distinct from Prisma Migrate's single-key lock 72707369. Advisory
 * locks are per database, which is the scope ids must be unique in.
 */
export const WORKER_ID_LOCK_NAMESPACE = 0x534e4657;

/** application_name of lease sessions, so operators find them in pg_stat_activity. */
export const WORKER_ID_LEASE_APPLICATION_NAME = "invoice-worker-id-lease";

export interface PostgresWorkerIdLocksOptions {
  /** postgresql:// URL. A Prisma `?schema=` parameter is harmless: advisory locks ignore schemas. */
  databaseUrl: string;
  /** Give up opening a connection after this long (default 5000). */
  connectionTimeoutMs?: number;
  /**
   * How long the SERVER waits before it declares a silent lease connection dead and releases its locks
   * (tcp_keepalives_idle of the session, in seconds; probes then every second, three times). It must
   * be longer than the manager's validity window, so a partitioned holder stops issuing ids before the
   * server can hand its worker id to another process. Default 15.
   */
  serverKeepaliveIdleSeconds?: number;
}

/**
 * Adapter: worker id locks as PostgreSQL session advisory locks, one dedicated connection per session.
 *
 * Must be a direct connection (or a session-mode pooler): behind PgBouncer in transaction mode a
 * session lock lands on whichever server connection ran the statement, and nothing is exclusive.
 */
export function createPostgresWorkerIdLocks(options: PostgresWorkerIdLocksOptions): WorkerIdLocks {
  const keepaliveIdle = options.serverKeepaliveIdleSeconds ?? 15;
  if (!Number.isInteger(keepaliveIdle) || keepaliveIdle < 1) {
    throw new RangeError("serverKeepaliveIdleSeconds must be a positive integer");
  }
  return {
    async openSession() {
      const client = new pg.Client({
        connectionString: options.databaseUrl,
        application_name: WORKER_ID_LEASE_APPLICATION_NAME,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
        keepAlive: true,
      });
      // Until a listener is registered, an idle connection error must not crash the process.
      let lost: ((error: Error) => void) | undefined;
      let closing = false;
      let ended = false;
      const reportLost = (error: Error) => {
        if (ended) return;
        ended = true;
        if (!closing) lost?.(error);
      };
      client.on("error", (error) => reportLost(error));
      client.on("end", () => reportLost(new Error("worker id lease connection ended")));
      try {
        await client.connect();
        await client.query(
          `SET tcp_keepalives_idle = ${keepaliveIdle}; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3`,
        );
      } catch (error) {
        closing = true;
        await client.end().catch(() => undefined);
        throw error;
      }
      return createSession(client, {
        onLost: (listener) => {
          lost = listener;
          // The connection died between connect() and registration: report it now rather than never.
          if (ended && !closing)
            queueMicrotask(() => listener(new Error("worker id lease connection ended")));
        },
        close: async () => {
          closing = true;
          if (ended) return;
          // end() waits for the server's goodbye; on a black-holed socket that never comes, so the
          // socket is destroyed after a while (the server then releases the locks on its keepalive).
          await Promise.race([client.end().catch(() => undefined), delay(2_000)]);
          (
            client as unknown as { connection?: { stream?: { destroy(): void } } }
          ).connection?.stream?.destroy();
        },
      });
    },
  };
}

function createSession(
  client: pg.Client,
  hooks: { onLost(listener: (error: Error) => void): void; close(): Promise<void> },
): WorkerIdLockSession {
  return {
    async tryLock(workerId) {
      const result = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1::int, $2::int) AS locked",
        [WORKER_ID_LOCK_NAMESPACE, workerId],
      );
      return result.rows[0]?.locked === true;
    },
    async isLocked(workerId) {
      const result = await client.query<{ held: boolean }>(
        `SELECT EXISTS (
           SELECT 1 FROM pg_locks
            WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
              AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         ) AS held`,
        [WORKER_ID_LOCK_NAMESPACE, workerId],
      );
      return result.rows[0]?.held === true;
    },
    async lockedIds() {
      const result = await client.query<{ id: number }>(
        `SELECT objid::int AS id FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid AND objsubid = 2
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [WORKER_ID_LOCK_NAMESPACE],
      );
      return new Set(result.rows.map((row) => row.id));
    },
    async unlock(workerId) {
      await client.query("SELECT pg_advisory_unlock($1::int, $2::int)", [WORKER_ID_LOCK_NAMESPACE, workerId]);
    },
    close: hooks.close,
    onLost: hooks.onLost,
  };
}

const delay = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });
