/**
 * The expiry schedule in Redis: one sorted set, member = claim id, score = deadline (epoch ms). It only
 * makes expiry timely; PostgreSQL decides (ADR 0014). Redis here keeps nothing on disk, so the worker's
 * scan refills the set from the Claim table and expires whatever was due while it was gone. Claim ids,
 * not tokens, are the members: Redis never holds a live claim link.
 *
 * Failure semantics: every method rejects with ioredis' error while Redis is unreachable (commands fail
 * fast: the client runs without an offline queue); nothing is retried here.
 */
import type { Redis } from "ioredis";

/** Pops the due members atomically, so among several workers exactly one gets each claim id. */
const POP_DUE = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, ARGV[2])
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due`;

export interface ExpirySchedule {
  /** Adds or refreshes claims (idempotent: a member has one score, its deadline). */
  add(entries: ReadonlyArray<{ id: bigint; deadline: number }>): Promise<void>;
  /** Removes and returns up to `limit` claim ids due at or before `now`. */
  popDue(now: number, limit: number): Promise<bigint[]>;
  size(): Promise<number>;
}

export function createExpirySchedule({ redis, key }: { redis: Redis; key: string }): ExpirySchedule {
  return {
    async add(entries) {
      if (entries.length === 0) return;
      const args: Array<string | number> = [];
      for (const entry of entries) args.push(entry.deadline, String(entry.id));
      await redis.zadd(key, ...args);
    },
    async popDue(now, limit) {
      const due = (await redis.eval(POP_DUE, 1, key, String(now), String(limit))) as string[];
      return due.map((id) => BigInt(id));
    },
    size: () => redis.zcard(key),
  };
}
