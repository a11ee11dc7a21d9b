/**
 * The expiry schedule in Redis: one sorted set, member = claim id, score = deadline (epoch ms). It only
 * makes expiry timely; PostgreSQL decides (ADR 0014). Redis here keeps nothing on disk, so the worker's
 * scan refills the set from the Claim table and expires whatever was due while it was gone. Claim ids,
 * not tokens, are the members: Redis never holds a live claim link.
 *
 * Failure semantics: while Redis is unreachable — not connected (commands fail fast: the client runs
 * without an offline queue) or not answering within the client's command timeout — every method rejects
 * with `ScheduleUnavailableError`, and the caller falls back to the PostgreSQL scan. Any other error
 * (Redis answered with an error: out of memory, a script error) is rethrown as ioredis gave it: that is
 * a fault to see, not an outage to ride out. Nothing is retried here. A command that timed out is still
 * carried out if the server answers later: a pop may remove due ids nobody received, which the scan
 * then expires (late, never lost).
 */
import type { Redis } from "ioredis";

/** Redis could not be reached for a schedule call; `cause` is ioredis' error. */
export class ScheduleUnavailableError extends Error {
  override readonly name = "ScheduleUnavailableError";
}

/**
 * Pops the due members atomically, so among several workers exactly one gets each claim id. ZREM in
 * chunks: Lua's `unpack` fails past about 8,000 values ("too many results to unpack").
 */
const POP_DUE = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
for i = 1, #due, 1000 do
  redis.call('ZREM', KEYS[1], unpack(due, i, math.min(i + 999, #due)))
end
return due`;

export interface ExpirySchedule {
  /** Adds or refreshes claims (idempotent: a member has one score, its deadline). */
  add(entries: ReadonlyArray<{ id: bigint; deadline: number }>): Promise<void>;
  /** Removes and returns up to `limit` claim ids due at or before `now`. */
  popDue(now: number, limit: number): Promise<bigint[]>;
  size(): Promise<number>;
}

export function createExpirySchedule({ redis, key }: { redis: Redis; key: string }): ExpirySchedule {
  async function call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      const timedOut = error instanceof Error && error.message === "Command timed out";
      if (redis.status !== "ready" || timedOut) {
        throw new ScheduleUnavailableError(`Redis unreachable (${redis.status}): ${String(error)}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
  return {
    async add(entries) {
      if (entries.length === 0) return;
      const args: Array<string | number> = [];
      for (const entry of entries) args.push(entry.deadline, String(entry.id));
      await call(() => redis.zadd(key, ...args));
    },
    async popDue(now, limit) {
      const due = (await call(() => redis.eval(POP_DUE, 1, key, String(now), String(limit)))) as string[];
      return due.map((id) => BigInt(id));
    },
    size: () => call(() => redis.zcard(key)),
  };
}
