/**
 * A 202 is never lost, and a claim is decided once: Kafka unreachable when a submission is accepted
 * (the outbox relay publishes it later with the same eventId), submissions racing the expiry worker
 * at the deadline (exactly one event per claim, and the HTTP answer agrees with it).
 */
import { createKafkaJsClient, silentLogger } from "@invoice/kafka";
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import { claimSubmittedEventId } from "../src/core/claim-events.ts";
import { createIssuancePublisher } from "../src/publish/issuance-publisher.ts";
import {
  FAST_WORKER,
  GENEROUS_LIMITS,
  openClaim,
  type RunningClaims,
  startClaimsApi,
  startClaimsWorker,
  useClaimsStack,
} from "./support/claims-stack.ts";

const env = useClaimsStack("claims_durability");

const COMPANY = {
  buyerType: "company",
  taxCode: "0300588569",
  name: "Công ty Cổ phần Sữa Việt Nam",
  street: "10 Tân Trào",
  provinceCode: "79",
  communeCode: "26740",
  email: "hoadon@vinamilk.vn",
};
const post = (api: RunningClaims, token: string) =>
  fetch(`${api.url}/v1/api/claims/${token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(COMPANY),
  });

async function claimRow(id: bigint) {
  const rows = await env.stack.prisma.$queryRaw<Array<{ status: string; eventPublishedAt: Date | null }>>`
    SELECT "status"::text AS status, "eventPublishedAt" FROM "invoice"."Claim" WHERE "id" = ${id}`;
  return rows[0];
}

describe("a submission answered 202", () => {
  it("reaches the topic even when Kafka was unreachable when it was accepted", async () => {
    // A real producer against a port nobody listens on: every send fails as in a broker outage.
    const unreachable = createKafkaJsClient({
      brokers: ["127.0.0.1:9"],
      clientId: "claims-down",
      logger: silentLogger,
    });
    const api = await startClaimsApi(env.stack, {
      env: { ...GENEROUS_LIMITS, ...FAST_WORKER },
      publisher: createIssuancePublisher({
        producer: unreachable.producer(),
        codec: env.stack.codec,
        topic: env.stack.topic,
      }),
    });
    const claim = await openClaim(env.stack.prisma);
    let submissionId: string;
    try {
      const started = Date.now();
      const response = await post(api, claim.token);
      expect(response.status).toBe(202);
      // Time is the subject: the answer waits at most the publish timeout (500 ms), not for Kafka; a
      // send left to the client's retries would take about 9 s.
      expect(Date.now() - started).toBeLessThan(5_000);
      submissionId = ((await response.json()) as { submissionId: string }).submissionId;
      expect(await claimRow(claim.id)).toEqual({ status: "SUBMITTED", eventPublishedAt: null });
    } finally {
      // The API goes away before it ever reached Kafka (its stop waits for the failing send to give up).
      await api.close();
    }
    expect(env.topic.records.some((r) => r.event.orderId === claim.orderId)).toBe(false);

    const { worker, stop } = startClaimsWorker(env.stack, { env: FAST_WORKER });
    await worker.start();
    try {
      const seen = await waitFor(() => env.topic.records.find((r) => r.event.orderId === claim.orderId), {
        timeoutMs: 30_000,
        description: "the relay to publish the owed ClaimSubmitted",
      });
      expect(seen.event).toMatchObject({
        type: "CLAIM_SUBMITTED",
        eventId: claimSubmittedEventId(claim.token, submissionId),
        payload: { buyer: { taxCode: "0300588569", name: "Công ty Cổ phần Sữa Việt Nam" } },
      });
      await waitFor(async () => (await claimRow(claim.id))?.eventPublishedAt !== null);
    } finally {
      await stop();
    }
  });
});

describe("a submission racing the deadline", () => {
  it("ends in exactly one event per claim, the one the HTTP answer announced", async () => {
    const api = await startClaimsApi(env.stack, { env: GENEROUS_LIMITS });
    const { worker, stop } = startClaimsWorker(env.stack, { env: FAST_WORKER });
    const start = Date.now() + 2_500;
    const claims = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        openClaim(env.stack.prisma, { deadline: new Date(start + i * 200) }),
      ),
    );
    await worker.start();
    let answers: number[];
    try {
      // Each submission is sent within ±60 ms of its claim's deadline.
      answers = await Promise.all(
        claims.map(async (claim, i) => {
          const sendAt = claim.deadline.getTime() - 60 + ((i * 37) % 120);
          await waitFor(() => Date.now() >= sendAt, { intervalMs: 2, timeoutMs: 30_000 });
          return (await post(api, claim.token)).status;
        }),
      );
      await waitFor(
        () => claims.every((claim) => env.topic.records.some((r) => r.event.orderId === claim.orderId)),
        {
          timeoutMs: 30_000,
          description: "an event for every claim",
        },
      );
    } finally {
      await stop();
      await api.close();
    }
    expect(answers.every((status) => status === 202 || status === 410)).toBe(true);
    const accepted = answers.filter((status) => status === 202).length;
    process.stdout.write(
      `[claims] race at the deadline: ${accepted} accepted, ${answers.length - accepted} expired\n`,
    );
    claims.forEach((claim, i) => {
      const events = env.topic.records.filter((r) => r.event.orderId === claim.orderId);
      expect(events, `claim ${i}`).toHaveLength(1);
      const [only] = events;
      if (answers[i] === 202) {
        expect(only?.event.type).toBe("CLAIM_SUBMITTED");
        expect(only?.event.occurredAt).toBeLessThan(claim.deadline.getTime());
      } else {
        expect(only?.event.type).toBe("CLAIM_EXPIRED");
        expect(Number(only?.record.timestamp)).toBeGreaterThanOrEqual(claim.deadline.getTime());
      }
    });
  });
});
