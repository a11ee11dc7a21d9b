/**
 * The claim-expiry worker against the real stack: on time, never early, once per claim with two
 * workers, nothing missed while Redis is down or after it restarts empty, and the measured
 * deadline -> ClaimExpired time.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { startPrivateRedis, waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { claimExpiredEventId } from "../src/core/claim-events.ts";
import { createExpirySchedule } from "../src/worker/expiry-schedule.ts";
import {
  FAST_WORKER as FAST,
  type OpenClaim,
  openClaim,
  startClaimsWorker,
  useClaimsStack,
} from "./support/claims-stack.ts";

const env = useClaimsStack("claims_worker");

async function rows(ids: readonly bigint[]) {
  return env.stack.prisma.$queryRaw<
    Array<{ id: bigint; status: string; eventPublishedAt: Date | null; publishAttempts: number }>
  >`SELECT "id", "status"::text AS status, "eventPublishedAt", "publishAttempts" FROM "invoice"."Claim"
     WHERE "id" = ANY(${ids.map(String)}::bigint[])`;
}

const expiredOf = (claim: OpenClaim) =>
  env.topic.of("CLAIM_EXPIRED").filter((r) => r.event.orderId === claim.orderId);

async function totalRecordsOnTopic(): Promise<number> {
  const admin = env.stack.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.topicOffsets(env.stack.topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe("claim expiry worker", () => {
  it("never expires a claim before its deadline, and expires it once the clock reaches it", async () => {
    const deadline = new Date(Date.now() + 3_600_000);
    const claim = await openClaim(env.stack.prisma, { deadline });
    let clock = deadline.getTime() - 1;
    const { worker, stop } = startClaimsWorker(env.stack, { env: FAST, now: () => clock });
    try {
      expect(await worker.runOnce()).toMatchObject({ fromScan: 0, fromSchedule: 0 });
      expect((await rows([claim.id]))[0]?.status).toBe("OPEN");
      clock = deadline.getTime();
      const pass = await worker.runOnce();
      expect(pass.fromScan + pass.fromSchedule).toBe(1);
      const seen = await waitFor(() => expiredOf(claim)[0], { description: "ClaimExpired" });
      expect(seen.event).toMatchObject({
        eventId: claimExpiredEventId(claim.token),
        occurredAt: deadline.getTime(),
        merchantId: claim.merchantId,
        source: "claims/expiry-worker",
        payload: { claimToken: claim.token, expiredAt: deadline.getTime() },
      });
      expect(seen.record.key?.toString()).toBe(claim.orderId);
    } finally {
      await stop();
    }
  });

  it("publishes ClaimExpired within seconds of each deadline, leaving submitted claims alone (measured)", async () => {
    const start = Date.now();
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        openClaim(env.stack.prisma, { deadline: new Date(start + 2_500 + i * 150) }),
      ),
    );
    const submitted = await openClaim(env.stack.prisma, { deadline: new Date(start + 2_000) });
    await env.stack.prisma
      .$executeRaw`UPDATE "invoice"."Claim" SET "status" = 'SUBMITTED', "submissionId" = gen_random_uuid(),
      "submission" = '{}', "submittedAt" = now(), "eventPublishedAt" = now() WHERE "id" = ${submitted.id}`;
    const worker = startClaimsWorker(env.stack, { env: FAST });
    await worker.worker.start();
    try {
      await waitFor(() => claims.every((claim) => expiredOf(claim).length > 0), {
        timeoutMs: 30_000,
        description: "every claim expired",
      });
    } finally {
      await worker.stop();
    }
    const delays = claims.map((claim) => {
      const [seen] = expiredOf(claim);
      if (!seen) throw new Error("not seen");
      // The broker's timestamp is when the record was appended: never before the deadline.
      expect(Number(seen.record.timestamp)).toBeGreaterThanOrEqual(claim.deadline.getTime());
      return seen.seenAt - claim.deadline.getTime();
    });
    // Time is the subject: 6-80 ms here; 5 s is the margin for a loaded machine.
    for (const delay of delays) expect(delay).toBeLessThan(5_000);
    expect(env.topic.records.filter((r) => r.event.orderId === submitted.orderId)).toEqual([]);
    const sorted = [...delays].sort((a, b) => a - b);
    const measured = {
      claims: delays.length,
      pollIntervalMs: Number(FAST.CLAIMS_EXPIRY_POLL_INTERVAL_MS),
      deadlineToTopicMs: {
        min: sorted[0],
        median: sorted[Math.floor(sorted.length / 2)],
        max: sorted.at(-1),
      },
    };
    await mkdir(".artifacts/claims", { recursive: true });
    await writeFile(".artifacts/claims/expiry-latency.json", `${JSON.stringify(measured, null, 2)}\n`);
    process.stdout.write(
      `[claims] deadline -> ClaimExpired on the topic: ${JSON.stringify(measured.deadlineToTopicMs)} ms\n`,
    );
    expect(await worker.registry.metrics()).toMatch(
      /invoice_claim_expiry_delay_seconds_count\{service="claims"\} 1[2-9]/,
    );
  });

  it("publishes each ClaimExpired once with two workers running at once", async () => {
    const before = env.topic.records.length;
    const onTopicBefore = await totalRecordsOnTopic();
    const start = Date.now();
    const claims = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        openClaim(env.stack.prisma, { deadline: new Date(start + 1_500 + (i % 10) * 100) }),
      ),
    );
    const workers = [
      startClaimsWorker(env.stack, { env: FAST }),
      startClaimsWorker(env.stack, { env: FAST }),
    ];
    await Promise.all(workers.map((w) => w.worker.start()));
    try {
      await waitFor(() => claims.every((claim) => expiredOf(claim).length > 0), {
        timeoutMs: 30_000,
        description: "every claim expired",
      });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    // Stopped: nothing more can be written. Every record on the topic is accounted for.
    expect(await totalRecordsOnTopic()).toBe(onTopicBefore + claims.length);
    await waitFor(() => env.topic.records.length === before + claims.length, {
      description: "all records read",
    });
    for (const claim of claims) expect(expiredOf(claim)).toHaveLength(1);
    const states = await rows(claims.map((c) => c.id));
    expect(
      states.every((s) => s.status === "EXPIRED" && s.eventPublishedAt !== null && s.publishAttempts === 1),
    ).toBe(true);
    const [a, b] = await Promise.all(workers.map((w) => w.registry.metrics()));
    expect(`${a}${b}`).toMatch(/invoice_claims_expired_total\{found_by="schedule"/);
  });

  it("misses nothing while Redis is down, nor after it restarts empty", async () => {
    const redis = await startPrivateRedis();
    const client = redis.client();
    const { worker, registry, logs, stop } = startClaimsWorker(env.stack, { env: FAST, redis: client });
    const logged = (message: string) =>
      logs.lines.filter((line) => line.includes(`"msg":"${message}`)).length;
    const key = `${env.stack.redisPrefix}expiry:schedule`;
    const start = Date.now();
    // Deadlines are the subject. Inserting, starting the worker, its first scan and killing Redis
    // must all happen before the first one (seconds on a loaded machine): 6 s leaves a wide margin,
    // and the deadlines stay inside the worker's 10 s horizon.
    const pending = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        openClaim(env.stack.prisma, { deadline: new Date(start + 6_000 + i * 100) }),
      ),
    );
    let later: OpenClaim[] = [];
    try {
      await worker.start();
      await waitFor(async () => (await client.zcard(key).catch(() => 0)) >= pending.length, {
        description: "the scan to schedule the claims in Redis",
      });
      // Redis dies with the schedule in it and stays down past every deadline: the scan expires them.
      await redis.kill();
      await waitFor(() => pending.every((claim) => expiredOf(claim).length > 0), {
        timeoutMs: 30_000,
        description: "every claim expired while Redis is down",
      });
      expect(await registry.metrics()).toContain(
        `invoice_claims_expired_total{found_by="scan",service="claims"} ${pending.length}`,
      );
      // The outage is one warn line, and no loop reports a failed run: the scan did its work.
      expect(logged("claim expiry schedule unavailable (Redis)")).toBe(1);
      expect(logged("worker loop run failed")).toBe(0);
      // Back, empty: the scan refills the schedule and claims due later expire on time again.
      await redis.restart();
      await waitFor(() => client.status === "ready", { description: "the worker's client to reconnect" });
      const now = Date.now();
      // Some must reach the refilled schedule before their deadline: a scan runs every second, and 5 s
      // leaves a late one on a loaded machine a wide margin.
      later = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          openClaim(env.stack.prisma, { deadline: new Date(now + 5_000 + i * 100) }),
        ),
      );
      await waitFor(() => later.every((claim) => expiredOf(claim).length > 0), {
        timeoutMs: 30_000,
        description: "the later claims expired",
      });
    } finally {
      await stop();
      await redis.stop();
    }
    expect(logged("claim expiry schedule is back")).toBe(1);
    for (const claim of [...pending, ...later]) {
      expect(expiredOf(claim)).toHaveLength(1);
      expect(Number(expiredOf(claim)[0]?.record.timestamp)).toBeGreaterThanOrEqual(claim.deadline.getTime());
    }
    expect(await registry.metrics()).toMatch(
      /invoice_claims_expired_total\{found_by="schedule",service="claims"\} [1-5]/,
    );
    // Two deadline windows (6 s and 5 s), a Redis kill and restart: about 13 s idle, and its own waits
    // add up to more than the default 60 s on a loaded machine.
  }, 120_000);

  it("a hung Redis holds up neither loop; an error Redis answers with is reported, not taken for an outage", async () => {
    const redis = await startPrivateRedis();
    const client = redis.client();
    await waitFor(() => client.status === "ready", { description: "the worker's client to connect" });
    const { worker, logs, stop } = startClaimsWorker(env.stack, { env: FAST, redis: client });
    const logged = (message: string) =>
      logs.lines.filter((line) => line.includes(`"msg":"${message}`)).length;
    const soon = (ms: number) => openClaim(env.stack.prisma, { deadline: new Date(Date.now() + ms) });
    try {
      // A claim in the schedule says the worker has reached Redis once (before that, a failure is the
      // client still connecting and only a debug line).
      const key = `${env.stack.redisPrefix}expiry:schedule`;
      await soon(9_000);
      await worker.start();
      await waitFor(async () => (await client.zcard(key)) > 0, {
        description: "the scan to fill the schedule",
      });
      // Hung (SIGSTOP): the connection stays "ready" and nothing answers. Each schedule call gives up
      // after the client's command timeout (2 s), and the scan still expires what falls due.
      redis.pause();
      const duringHang = await Promise.all([soon(500), soon(600), soon(700)]);
      await waitFor(() => duringHang.every((claim) => expiredOf(claim).length > 0), {
        timeoutMs: 30_000,
        description: "the claims due while Redis hangs expired by the scan",
      });
      // The first schedule call to give up does so a command timeout (2 s) after it was sent.
      await waitFor(() => logged("claim expiry schedule unavailable (Redis)") > 0, {
        description: "a schedule call to give up on the hung server",
      });
      expect(client.status).toBe("ready");
      expect(logged("claim expiry schedule unavailable (Redis)")).toBe(1);
      redis.resume();
      await waitFor(() => logged("claim expiry schedule is back") === 1, {
        description: "the schedule back",
      });
      expect(logged("worker loop run failed")).toBe(0);

      // Out of memory: Redis refuses every write with an error. A fault to see (the scan loop reports
      // a failed run when it cannot fill the schedule), not an outage: no second "unavailable".
      await client.config("SET", "maxmemory", "1");
      const duringOom = await soon(3_000);
      await waitFor(() => logged("worker loop run failed") > 0, {
        description: "the scan loop to report the refusal",
      });
      await waitFor(() => expiredOf(duringOom).length > 0, {
        timeoutMs: 30_000,
        description: "the claim due during the refusals expired by the scan",
      });
      expect(logged("claim expiry schedule unavailable (Redis)")).toBe(1);
      expect(logs.lines.find((line) => line.includes('"msg":"worker loop run failed'))).toMatch(/OOM/);
    } finally {
      await client.config("SET", "maxmemory", "0").catch(() => undefined);
      await stop();
      await redis.stop();
    }
    // Two command timeouts, deadlines of up to 3 s and the scan's 1 s interval, on a loaded machine.
  }, 120_000);

  it("pops a batch larger than Lua's unpack limit (about 8,000) in one call", async () => {
    const redis = await startPrivateRedis();
    const client = redis.client();
    try {
      await waitFor(() => client.status === "ready", { description: "the client to connect" });
      const schedule = createExpirySchedule({ redis: client, key: "expiry:big" });
      await schedule.add(
        Array.from({ length: 9_000 }, (_, i) => ({ id: BigInt(i + 1), deadline: 1_000 + i })),
      );
      const popped = await schedule.popDue(1_000_000, 9_000);
      expect(popped).toHaveLength(9_000);
      expect(new Set(popped.map(String)).size).toBe(9_000);
      expect(await schedule.size()).toBe(0);
    } finally {
      await redis.stop();
    }
  });
});
