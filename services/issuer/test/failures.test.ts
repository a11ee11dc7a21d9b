/**
 * Failure paths against the test's own simulator (faults configured here stay here): transient
 * errors then success, retries exhausted to the DLQ, a permanent refusal, a poison record.
 */
import { DLQ_HEADERS, REPLAY_HEADERS } from "@invoice/processing";
import { type RunningSimulator, startSimulator } from "@invoice/provider-simulator";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPANY_BUYER,
  eventsOf,
  expectDbMatchesProvider,
  type IssuerFixture,
  payment,
  startIssuer,
  uniqueMerchant,
  uniqueOrder,
  waitForEvent,
} from "./support.ts";

let sim: RunningSimulator;
let issuer: IssuerFixture;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  issuer = await startIssuer({ ISSUER_MAX_SEND_RETRIES: "3" }, sim);
});
afterAll(async () => {
  await issuer?.stop();
  await sim?.close();
});

const newOrder = () => ({ orderId: uniqueOrder(), merchantId: uniqueMerchant() });
const dlqOf = (orderId: string) => issuer.dlq.filter((r) => r.key?.toString() === orderId);
const retriesLogged = (orderId: string) =>
  issuer.logs("[_handleIssuanceFailure] Scheduling retry").filter((l) => l.orderId === orderId);

describe("issuer failure paths", () => {
  it("transient refusals (429) are retried through the retry topic, then the invoice is issued once", async () => {
    sim.configure({ errors: { rate: 1, status: 429, retryAfterSeconds: 1 } });
    const order = newOrder();
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    await waitFor(() => retriesLogged(order.orderId).length >= 1, {
      timeoutMs: 60_000,
      description: "a retry",
    });
    sim.configure({ errors: { rate: 0 } });
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId: order.orderId } });
    expect(row.status).toBe("ISSUED");
    const attempts = await issuer.db.invoiceIssuance.findMany({
      where: { invoiceId: row.id },
      orderBy: { attempt: "asc" },
    });
    expect(attempts[0]?.outcome).toBe("TRANSIENT_FAILURE");
    expect(attempts.at(-1)?.outcome).toBe("SUCCEEDED");
    expect(dlqOf(order.orderId)).toHaveLength(0);
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("retries exhausted: the invoice FAILS, InvoiceFailed is published, the original bytes go to the DLQ", async () => {
    sim.configure({ errors: { rate: 1, status: 429, retryAfterSeconds: 0 } });
    try {
      const order = newOrder();
      await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
      const failed = await waitForEvent(issuer, order.orderId, "INVOICE_FAILED", 90_000);
      expect(JSON.stringify(failed.value)).toContain("RETRIES_EXHAUSTED");
      const dead = await waitFor(() => dlqOf(order.orderId)[0], {
        timeoutMs: 30_000,
        description: "DLQ record",
      });
      expect(dead.headers[DLQ_HEADERS.reason]).toBe("exhausted");
      expect(dead.headers[DLQ_HEADERS.originalTopic]).toBeDefined();
      const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId: order.orderId } });
      expect(row.status).toBe("FAILED");
      expect(row.failureReason).toContain("RETRIES_EXHAUSTED");
      expect(retriesLogged(order.orderId)).toHaveLength(3);
      expect(issuer.logs("[DLQ] invoice-issuance").some((l) => l.orderId === order.orderId)).toBe(true);
      await expectDbMatchesProvider(issuer, order.orderId);
    } finally {
      sim.configure({ errors: { rate: 0 } });
    }
  });

  it("retries exhausted, then replayed from the DLQ as `invoice dlq replay` does it: resumed and issued once", {
    timeout: 240_000,
  }, async () => {
    sim.configure({ errors: { rate: 1, status: 429, retryAfterSeconds: 0 } });
    const order = newOrder();
    let dead: (typeof issuer.dlq)[number];
    try {
      await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
      await waitForEvent(issuer, order.orderId, "INVOICE_FAILED", 90_000);
      dead = await waitFor(() => dlqOf(order.orderId)[0], { timeoutMs: 30_000, description: "DLQ record" });
    } finally {
      sim.configure({ errors: { rate: 0 } });
    }
    // What was dead-lettered is the wake-up's copy (issuer.wake.* headers). The CLI's copy: its own
    // headers without dlq.* and retry.*, plus who asked and where from (packages/cli replayHeaders).
    expect(dead.headers["issuer.wake.event-id"]).toBeDefined();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(dead.headers)) {
      if (!/^(dlq|retry|replay)\./.test(name)) headers[name] = value;
    }
    Object.assign(headers, {
      [REPLAY_HEADERS.requestedBy]: "ops:alice",
      [REPLAY_HEADERS.dlqTopic]: issuer.topics.dlq,
      [REPLAY_HEADERS.dlqRecord]: `${dead.partition}:${dead.offset}`,
      [REPLAY_HEADERS.actionId]: "1",
    });
    await issuer.sendRaw(order.orderId, dead.value as Buffer, headers);
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED", 90_000);
    const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId: order.orderId } });
    expect(row.status).toBe("ISSUED");
    const replay = await issuer.db.invoiceAuditTracing.findFirstOrThrow({
      where: { orderId: order.orderId, eventType: "ReplayRequested" },
    });
    expect(replay.actor).toBe("ops:alice");
    await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("a permanent refusal (series not registered) fails the invoice at once: DLQ non-retryable, no retry", async () => {
    const year = new Date().getUTCFullYear() % 100;
    sim.configure({ series: { "0100109106": [`1/001|C${year}TBB`] } });
    try {
      const order = newOrder();
      await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
      await waitForEvent(issuer, order.orderId, "INVOICE_FAILED");
      const dead = await waitFor(() => dlqOf(order.orderId)[0], {
        timeoutMs: 30_000,
        description: "DLQ record",
      });
      expect(dead.headers[DLQ_HEADERS.reason]).toBe("non-retryable");
      expect(retriesLogged(order.orderId)).toHaveLength(0);
      const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId: order.orderId } });
      expect(row.status).toBe("FAILED");
      await expectDbMatchesProvider(issuer, order.orderId);
    } finally {
      sim.configure({ series: { "0100109106": [`1/001|C${year}TBB`, `1/001|C${year}TAA`] } });
    }
  });

  it("a record that does not decode goes to the DLQ (deserialization) and the partition keeps moving", async () => {
    const order = newOrder();
    await issuer.sendRaw(order.orderId, Buffer.from("not avro at all"));
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    const dead = await waitFor(() => dlqOf(order.orderId)[0], {
      timeoutMs: 30_000,
      description: "DLQ record",
    });
    expect(dead.headers[DLQ_HEADERS.reason]).toBe("deserialization");
    expect(dead.value?.toString()).toBe("not avro at all");
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    expect(eventsOf(issuer, order.orderId, "INVOICE_ISSUED")).toHaveLength(1);
    await expectDbMatchesProvider(issuer, order.orderId);
  });
});
