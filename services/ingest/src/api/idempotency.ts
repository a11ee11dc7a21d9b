/**
 * Idempotency-Key on the merchant API's write routes (IdempotencyRecord, per merchant and key):
 * - first use: the record is claimed IN_PROGRESS, the route runs, its 2xx answer is stored COMPLETED;
 * - same key, same request (method, route, merchant, canonical JSON body): the stored answer again,
 *   with `Idempotent-Replayed: true`; while the first is still running: 409 (retry shortly);
 * - same key, another request: 422 IDEMPOTENCY_KEY_REUSED.
 * A route that fails (4xx or 5xx) stores nothing: its record is removed so a retry runs it again (a
 * refusal is deterministic, and a failure must not be frozen for a day). A claim left IN_PROGRESS by
 * a crashed process is taken over after IN_PROGRESS_LEASE_MS. Records expire after the TTL.
 *
 * The request hash is an HMAC under a key derived from the credentials key (its key id kept with the
 * hash, so a key rotation does not turn a retry into a mismatch): bodies carry provider passwords,
 * and a plain hash of one would let a database reader test guesses offline.
 */
import { createHmac, hkdfSync } from "node:crypto";
import type { Keyring } from "@invoice/crypto";
import { Prisma, type PrismaClient } from "@invoice/db";
import { HttpProblem } from "@invoice/http";
import type { IdempotencyRunner, RouteAnswer } from "./route-spec.ts";

const IN_PROGRESS_LEASE_MS = 60_000;

type IdempotencyDb = Pick<PrismaClient, "idempotencyRecord">;

/** JSON with object keys sorted at every level: equal for bodies that differ only in key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function requestHash(keyring: Keyring, keyId: string, text: string): string | undefined {
  const key = keyring.keys.get(keyId);
  if (!key) return undefined;
  const derived = Buffer.from(hkdfSync("sha256", key, "", "idempotency-request-hash", 32));
  return `${keyId}:${createHmac("sha256", derived).update(text).digest("base64url")}`.slice(0, 64);
}

export function createIdempotency(deps: {
  prisma: IdempotencyDb;
  keyring: Keyring;
  ttlSeconds: number;
  now?: () => number;
}): IdempotencyRunner {
  const now = deps.now ?? Date.now;
  return async ({ scope, key, method, route, body }, run) => {
    const text = `${method} ${route} ${scope.merchantId}\n${canonicalJson(body)}`;
    const hash = requestHash(deps.keyring, deps.keyring.activeKeyId, text) ?? "";
    const where = { merchantId_key: { merchantId: scope.merchantId, key } };
    for (let claimAttempt = 0; ; claimAttempt++) {
      try {
        await deps.prisma.idempotencyRecord.create({
          data: {
            merchantId: scope.merchantId,
            key,
            requestHash: hash,
            method,
            route,
            status: "IN_PROGRESS",
            createdAt: new Date(now()),
            expiresAt: new Date(now() + deps.ttlSeconds * 1000),
          },
        });
        break;
      } catch (error) {
        if (
          !(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") ||
          claimAttempt > 1
        ) {
          throw error;
        }
      }
      const existing = await deps.prisma.idempotencyRecord.findUnique({ where });
      if (!existing) continue; // removed meanwhile: claim again
      const stale =
        existing.expiresAt.getTime() <= now() ||
        (existing.status === "IN_PROGRESS" && existing.createdAt.getTime() < now() - IN_PROGRESS_LEASE_MS);
      if (stale) {
        await deps.prisma.idempotencyRecord.deleteMany({
          where: { merchantId: scope.merchantId, key, createdAt: existing.createdAt },
        });
        continue;
      }
      const [storedKeyId] = existing.requestHash.split(":");
      if (
        storedKeyId === undefined ||
        requestHash(deps.keyring, storedKeyId, text) !== existing.requestHash
      ) {
        throw new HttpProblem({
          status: 422,
          code: "IDEMPOTENCY_KEY_REUSED",
          detail: "This Idempotency-Key was used for a different request; use a new key for a new request.",
        });
      }
      if (existing.status === "IN_PROGRESS" || existing.responseStatus === null) {
        throw new HttpProblem({
          status: 409,
          code: "IDEMPOTENCY_REQUEST_IN_PROGRESS",
          detail: "A request with this Idempotency-Key is still being processed; retry shortly.",
          headers: { "retry-after": "1" },
        });
      }
      return { status: existing.responseStatus, body: existing.responseBody, replayed: true };
    }

    let answer: RouteAnswer;
    try {
      answer = await run();
    } catch (error) {
      await deps.prisma.idempotencyRecord.deleteMany({ where: { merchantId: scope.merchantId, key } });
      throw error;
    }
    await deps.prisma.idempotencyRecord.update({
      where,
      data: {
        status: "COMPLETED",
        responseStatus: answer.status,
        responseBody:
          answer.body === undefined || answer.body === null
            ? Prisma.JsonNull
            : (answer.body as Prisma.InputJsonValue),
      },
    });
    return answer;
  };
}
