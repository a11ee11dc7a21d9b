/**
 * `invoice ops show` and `invoice ops replay` on real orders: the issuer (its real main.ts, worker
 * mode) processes them on topics of this file's own against the stack's provider simulator, writing
 * the database the CLI reads. One order with a buyer is issued (state, attempts, audit trail); one
 * without waits for its claim (the claim, its token cut, the state document redacted). Replaying the
 * issued order publishes ReplayRequested, which the issuer records as an audit row that changes
 * nothing: no new attempt, still one invoice at the provider.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { connect } from "@invoice/db/testing";
import { createAvroCodec, type IncomingRecord } from "@invoice/kafka";
import { collectingConsumer, testClient } from "@invoice/kafka/testing";
import { type IssuanceEvent, issuanceEventToAvro, loadSchema, valueSubject } from "@invoice/schemas";
import { type ServiceProcess, stackEnv, startServiceProcess, uniqueName, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderView } from "../src/ops/order-lookup.ts";
import { type CliHarness, createCliHarness } from "./cli-harness.ts";

const stack = stackEnv();
const SIMULATOR_URL = process.env.PROVIDER_SIMULATOR_URL ?? "http://127.0.0.1:31150";
const SELLER_TAX_CODE = "0100109106";
/** The issuer's provider password: it must never show up in what the CLI prints. */
const PROVIDER_PASSWORD = `pw-${randomBytes(12).toString("hex")}`;
const kafka = testClient();
const admin = kafka.admin();
const producer = kafka.producer();
const codec = createAvroCodec({ url: stack.schemaRegistryUrl });
const topics = {
  issuance: uniqueName("cli-ops.issuance"),
  retry: uniqueName("cli-ops.issuance.retry"),
  dlq: uniqueName("cli-ops.issuance.dlq"),
  events: uniqueName("cli-ops.events"),
};
const groupId = uniqueName("cli-ops-issuer");
const readerGroup = uniqueName("cli-ops-reader");
const merchantId = uniqueName("CLI-M");
const issuedOrder = `CLI-ORD-${randomUUID()}`;
const claimOrder = `CLI-ORD-${randomUUID()}`;
const cliEnv = { INVOICE_ISSUANCE_TOPIC: topics.issuance };
let cli: CliHarness;
let issuer: ServiceProcess;
const seen: IncomingRecord[] = [];

function payment(orderId: string, buyer: boolean): IssuanceEvent {
  const paidAt = Date.now() - 1_000;
  return {
    eventId: `pay-${orderId}`,
    orderId,
    merchantId,
    occurredAt: paidAt,
    source: "cli-test",
    correlationId: null,
    type: "PAYMENT_SUCCEEDED",
    payload: {
      paymentId: `p-${orderId}`,
      amountVnd: 330_000,
      paidAt,
      lines: [
        {
          sku: "AT-01",
          name: "Áo thun cotton",
          unit: "cái",
          quantity: "2",
          unitPriceVnd: 150_000,
          discountVnd: 0,
          vatCategory: "10",
          reducedRateEligible: false,
        },
      ],
      buyer: buyer
        ? {
            kind: "COMPANY",
            name: "Công ty TNHH Sữa Việt",
            taxCode: "0300588569",
            personalId: null,
            address: "10 Tân Trào, Phường Tân Phú, TP. Hồ Chí Minh",
            email: null,
            phone: null,
          }
        : null,
    },
  };
}

async function show(id: string) {
  const { code, value } = await cli.json<OrderView>(["ops", "show", id], cliEnv);
  expect(code).toBe(0);
  return value;
}

beforeAll(async () => {
  await admin.connect();
  await admin.ensureTopics(Object.values(topics).map((topic) => ({ topic, partitions: 3 })));
  await producer.connect();
  cli = await createCliHarness();
  issuer = startServiceProcess("issuer", ["worker"], {
    KAFKA_BROKERS: stack.kafkaBrokers.join(","),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    DATABASE_URL: cli.db.url,
    PORT: "0",
    APP_ENV_INVOICE_SERVICE_CODE: uniqueName("CLI-OPS").replaceAll("_", "-").toUpperCase(),
    APP_ENV_INVOICE_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
    INVOICE_ISSUANCE_TOPIC: topics.issuance,
    INVOICE_EVENTS_TOPIC: topics.events,
    ISSUER_PROVIDER_BASE_URL: `${SIMULATOR_URL}/services/einvoiceapplication/api`,
    ISSUER_PROVIDER_PASSWORD: PROVIDER_PASSWORD,
    ISSUER_ISSUANCE_TOPIC: topics.issuance,
    ISSUER_RETRY_TOPIC: topics.retry,
    ISSUER_DLQ_TOPIC: topics.dlq,
    ISSUER_EVENTS_TOPIC: topics.events,
    ISSUER_GROUP_ID: groupId,
    ISSUER_FROM_BEGINNING: "true",
    ISSUER_DEFAULT_CLAIM_WINDOW_MS: "3600000",
  });
  await issuer.port();
  const schemaId = await codec.register(valueSubject(topics.issuance), loadSchema("issuance-event"));
  await producer.send(
    topics.issuance,
    await Promise.all(
      [payment(issuedOrder, true), payment(claimOrder, false)].map(async (event) => ({
        key: event.orderId,
        value: await codec.encode(schemaId, issuanceEventToAvro(event)),
        headers: { eventId: event.eventId },
      })),
    ),
  );
  await collectingConsumer(kafka, readerGroup, [topics.issuance], seen);
  await waitFor(
    async () => {
      const [issued, waiting] = await Promise.all([show(issuedOrder), show(claimOrder)]);
      return issued.state?.status === "ISSUED" && waiting.claim !== null;
    },
    { timeoutMs: 90_000, intervalMs: 500, description: "one order issued, one waiting for its claim" },
  );
}, 180_000); // the issuer process starting, then two orders through Kafka, PostgreSQL and the provider

afterAll(async () => {
  await issuer?.stop();
  await producer.disconnect();
  await admin.deleteTopics(Object.values(topics)).catch(() => undefined);
  await admin.deleteGroups([groupId, readerGroup]).catch(() => undefined);
  await admin.disconnect();
  await cli?.db.drop();
}, 120_000);

// Each CLI run opens its own database and Kafka clients (as the command does): seconds apiece under load.
const CLI_TEST_TIMEOUT_MS = 180_000;

describe("invoice ops show on orders the issuer processed", () => {
  it("an issued order: state, the invoice, its attempt with the provider exchange, the audit trail", {
    timeout: CLI_TEST_TIMEOUT_MS,
  }, async () => {
    const view = await show(issuedOrder);
    expect(view).toMatchObject({ merchantId, orderId: issuedOrder, claim: null });
    expect(view.state).toMatchObject({ status: "ISSUED" });
    expect(view.invoices).toEqual([
      expect.objectContaining({ status: "ISSUED", providerInvoiceNo: expect.stringMatching(/\d/) }),
    ]);
    const invoice = view.invoices[0] as OrderView["invoices"][number];
    expect(view.attempts).toEqual([
      expect.objectContaining({
        invoiceId: invoice.id,
        attempt: 1,
        operation: "ISSUE",
        outcome: "SUCCEEDED",
      }),
    ]);
    // The request as sent (its transactionUuid, the buyer), the provider's answer; no credential.
    const attempt = view.attempts[0] as OrderView["attempts"][number];
    expect(JSON.stringify(attempt.requestPayload)).toContain(invoice.transactionUuid);
    expect(JSON.stringify(attempt.requestPayload)).toContain("0300588569");
    expect(attempt.responsePayload).not.toBeNull();
    expect(view.audit.map((a) => a.eventType)).toEqual(
      expect.arrayContaining(["PaymentSucceeded", "SendResult"]),
    );
    expect(view.audit.at(-1)).toMatchObject({ toStatus: "ISSUED" });
    // The same order found by the provider key and by the invoice id (an operator's "sourceId").
    expect((await show(invoice.transactionUuid)).orderId).toBe(issuedOrder);
    expect((await show(invoice.id)).orderId).toBe(issuedOrder);

    const human = await cli.run(["ops", "show", issuedOrder], cliEnv);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`order ${issuedOrder}  merchant ${merchantId}  state ISSUED`);
    expect(human.stdout).toContain("issuance attempts (1):");
    expect(human.stdout).toMatch(/#1 ISSUE SUCCEEDED http=200/);
    expect(human.stdout).toContain(`audit trail (${view.audit.length}):`);
    for (const out of [JSON.stringify(view), human.stdout]) expect(out).not.toContain(PROVIDER_PASSWORD);
  });

  it("an order waiting for its claim: the claim with its token cut, the token redacted in the state", {
    timeout: CLI_TEST_TIMEOUT_MS,
  }, async () => {
    const view = await show(claimOrder);
    expect(view.state).toMatchObject({ status: "AWAITING_CLAIM" });
    expect(view.invoices).toEqual([]);
    expect(view.attempts).toEqual([]);
    expect(view.claim).toMatchObject({ status: "OPEN", closedReason: null });
    const rows = await cli.run(["ops", "show", claimOrder], cliEnv);
    expect(rows.stdout).toMatch(/claim: OPEN token [0-9a-f]{8}… deadline /);
    // The live token (it lets anyone claim the invoice) appears nowhere, not even in the state document.
    const pg = await connect(cli.db.url);
    const claims = await pg
      .query<{ token: string }>(`SELECT token::text AS token FROM "Claim" WHERE "orderId" = $1`, [claimOrder])
      .finally(() => pg.end());
    const token = claims.rows[0]?.token as string;
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(view.claim?.token).toBe(`${token.slice(0, 8)}…`);
    expect(JSON.stringify(view)).not.toContain(token);
    expect(rows.stdout).not.toContain(token);
  });
});

describe("invoice ops replay on an issued order", () => {
  it("publishes ReplayRequested on the order's key; the issuer records it and changes nothing", {
    timeout: CLI_TEST_TIMEOUT_MS,
  }, async () => {
    const before = await show(issuedOrder);
    const dry = await cli.json<{ dryRun: boolean; written: unknown; event: { eventId: string } }>(
      ["ops", "replay", issuedOrder, "--reason", "TICKET-1 dry", "--dry-run"],
      cliEnv,
    );
    expect(dry.value).toMatchObject({ dryRun: true, written: null });

    const { code, value } = await cli.json<{
      topic: string;
      event: { eventId: string; merchantId: string; payload: { reason: string; requestedBy: string } };
      written: { partition: number; offset: string };
    }>(["ops", "replay", issuedOrder, "--reason", "TICKET-1"], cliEnv);
    expect(code).toBe(0);
    expect(value.topic).toBe(topics.issuance);
    expect(value.event).toMatchObject({
      merchantId,
      payload: { reason: "TICKET-1", requestedBy: "ops:cli-test" },
    });
    const partition = await cli.json<{ partition: number }>(["ops", "partition", issuedOrder], cliEnv);
    expect(value.written.partition).toBe(partition.value.partition);

    // On the topic under the order's key, and nothing for the dry run.
    await waitFor(() => seen.some((r) => r.headers.eventId === value.event.eventId), {
      timeoutMs: 60_000,
      description: "the ReplayRequested record",
    });
    const replayed = seen.find((r) => r.headers.eventId === value.event.eventId) as IncomingRecord;
    expect(replayed.key?.toString()).toBe(issuedOrder);
    expect(replayed.partition).toBe(value.written.partition);
    expect(seen.some((r) => r.headers.eventId === dry.value.event.eventId)).toBe(false);

    // The issuer's audit row for it: by the operator, ISSUED before and after.
    const row = await waitFor(
      async () => (await show(issuedOrder)).audit.find((a) => a.eventId === value.event.eventId),
      { timeoutMs: 60_000, intervalMs: 500, description: "the replay's audit row" },
    );
    expect(row).toMatchObject({
      eventType: "ReplayRequested",
      actor: "ops:cli-test",
      fromStatus: "ISSUED",
      toStatus: "ISSUED",
    });
    const after = await show(issuedOrder);
    expect(after.state?.status).toBe("ISSUED");
    expect(after.state?.document).toEqual(before.state?.document);
    expect(after.invoices).toEqual(before.invoices);
    expect(after.attempts).toEqual(before.attempts);
    expect(after.audit).toHaveLength(before.audit.length + 1);
    const invoice = after.invoices[0] as OrderView["invoices"][number];
    const held = await fetch(
      `${SIMULATOR_URL}/admin/invoices?supplierTaxCode=${SELLER_TAX_CODE}&transactionUuid=${invoice.transactionUuid}`,
    );
    const body = (await held.json()) as { invoices?: unknown[] } | unknown[];
    expect(Array.isArray(body) ? body : (body.invoices ?? [])).toHaveLength(1);
  });
});
