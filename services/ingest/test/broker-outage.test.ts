/**
 * "Acknowledged before 202" with a broker of the test's own: while it is gone the webhook answers 503
 * with Retry-After within the publish bound, and after it returns nothing that was answered 202 is
 * missing from invoice.issuance. A request refused without being handed to the producer (logged
 * `sent: false`) is never written.
 */
import { topicCatalog, topicSpecs } from "@invoice/schemas";
import { uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrivateBroker, type PrivateBroker } from "./private-broker.ts";
import {
  collect,
  type Ingest,
  kafkaClient,
  MERCHANT_SECRET,
  signedHeaders,
  startIngest,
  startJwks,
} from "./support.ts";

const PUBLISH_TIMEOUT_MS = 3_000;
let broker: PrivateBroker;
let ingest: Ingest;
let closeJwks: () => Promise<void>;

async function ensureTopics(brokers: string[]) {
  await waitFor(
    async () => {
      const admin = kafkaClient(brokers).admin();
      try {
        await admin.connect();
        await admin.ensureTopics(topicSpecs(topicCatalog()));
        return true;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { timeoutMs: 120_000, intervalMs: 1_000, description: "topics on the private broker" },
  );
}

beforeAll(async () => {
  broker = await createPrivateBroker();
  await broker.start();
  await ensureTopics(broker.brokers);
  const jwks = await startJwks();
  closeJwks = jwks.close;
  ingest = await startIngest({
    brokers: broker.brokers,
    env: {
      JWKS_URL: jwks.url,
      INGEST_CONSUMERS_ENABLED: "false",
      INGEST_PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS),
      INGEST_PUBLISH_COOLDOWN_MS: "500",
      KAFKA_CONNECTION_TIMEOUT_MS: "1000",
    },
  });
}, 300_000);

afterAll(async () => {
  await ingest?.stop();
  await closeJwks?.();
  await broker?.remove();
});

async function send() {
  const body = JSON.stringify({
    eventId: uniqueName("evt"),
    type: "payment.refunded",
    occurredAt: new Date().toISOString(),
    merchantId: "M-OUTAGE",
    orderId: uniqueName("ORD"),
    data: { refundId: "R", amountVnd: 1_000, full: false },
  });
  const started = Date.now();
  const response = await fetch(`${ingest.url}/v1/api/webhooks/merchant`, {
    method: "POST",
    headers: signedHeaders(body, MERCHANT_SECRET),
    body,
  });
  const answer = (await response.json()) as { eventId?: string; code?: string };
  return {
    ...answer,
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    ms: Date.now() - started,
  };
}

describe("broker outage", () => {
  it("answers 503 within the bound while the broker is gone, and loses nothing it accepted", async () => {
    const accepted: string[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await send();
      expect(answer.status).toBe(202);
      accepted.push(answer.eventId as string);
    }

    await broker.kill();
    const refused = [];
    for (let i = 0; i < 8; i++) refused.push(await send());
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.code).toBe("KAFKA_UNAVAILABLE");
      expect(answer.retryAfter).toBe("5");
      // The bound: the publish timeout, plus what a loaded machine adds to one request.
      expect(answer.ms).toBeLessThan(PUBLISH_TIMEOUT_MS + 2_000);
    }
    // Right after a timed-out publish, requests are refused at once (nothing handed to Kafka).
    expect(Math.min(...refused.map((a) => a.ms))).toBeLessThan(1_000);

    await broker.start();
    const recovered = await waitFor(
      async () => {
        const answer = await send();
        return answer.status === 202 ? answer : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: "a 202 after the broker returned" },
    );
    accepted.push(recovered.eventId as string);
    for (let i = 0; i < 5; i++) {
      const answer = await send();
      expect(answer.status).toBe(202);
      accepted.push(answer.eventId as string);
    }

    const records = await collect(
      ["invoice.issuance"],
      (rs) => accepted.every((id) => rs.some((r) => r.headers.eventId === id)),
      {
        brokers: broker.brokers,
        timeoutMs: 60_000,
        description: "every accepted event on the private broker",
      },
    );
    const written = new Set(records.map((r) => r.headers.eventId));
    expect(accepted.filter((id) => !written.has(id))).toEqual([]);
    // Refused without ever reaching the producer: never written, whatever happened later.
    const neverSent = ingest.proc.logs
      .filter((l) => l.msg === "[enqueueIssuance] not acknowledged; answering 503" && l.sent === false)
      .map((l) => String(l.eventId));
    expect(neverSent.length).toBeGreaterThan(0);
    expect(neverSent.filter((id) => written.has(id))).toEqual([]);
    // It kills and restarts a broker (a JVM) of its own: 17-18 s here with a benchmark running beside
    // it, a large part of 60 s under full load. Its own bounds (8 refusals of up to 5 s, 120 s for the
    // first 202, 60 s for the records) add up to about 220 s.
  }, 240_000);
});
