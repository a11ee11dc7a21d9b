/**
 * The end checks every chaos scenario runs (issue 14 "Chaos"): every order that should be invoiced
 * is invoiced exactly once — in our database and at the provider, the two agreeing invoice by
 * invoice, zero duplicate transactionUuids at the simulator — no accepted event lost, nothing stuck
 * in retry (every order's state is terminal, the group has consumed issuance and retry to the end),
 * and nothing in the DLQ but the poison records.
 */
import { connect } from "@invoice/db/testing";
import { waitFor } from "@invoice/testing";
import type { ChaosWorld } from "./harness.ts";
import { SELLER_TAX_CODE } from "./harness.ts";

export interface CheckResult {
  passed: boolean;
  orders: number;
  issuedInDb: number;
  issuedAtProvider: number;
  /** Orders with no ISSUED invoice (in the database or at the provider). */
  lost: number;
  /** transactionUuids the provider issued more than once, plus orders with two invoice rows. */
  duplicates: number;
  dlq: number;
  expectedDlq: number;
  /** Orders whose state is not terminal, and records the group has not consumed. */
  stuck: number;
  lag: number;
  /** invoiceIssued events published (distinct orders). */
  published: number;
  problems: string[];
}

interface InvoiceRow {
  orderId: string;
  transactionUuid: string;
  status: string;
  providerInvoiceNo: string | null;
}

async function dbInvoices(world: ChaosWorld): Promise<InvoiceRow[]> {
  const client = await connect(world.database.url);
  try {
    const { rows } = await client.query<InvoiceRow>(
      `SELECT "orderId", "transactionUuid"::text AS "transactionUuid", status::text AS status, "providerInvoiceNo"
         FROM "Invoice" WHERE kind = 'ORIGINAL'`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

async function orderStates(world: ChaosWorld): Promise<Map<string, string>> {
  const client = await connect(world.database.url);
  try {
    const { rows } = await client.query<{ orderId: string; status: string }>(
      `SELECT "orderId", status::text AS status FROM "OrderState"`,
    );
    return new Map(rows.map((r) => [r.orderId, r.status]));
  } finally {
    await client.end();
  }
}

/** ISSUED invoices in the database for the run's orders. */
export async function issuedCount(world: ChaosWorld): Promise<number> {
  const client = await connect(world.database.url);
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM "Invoice" WHERE kind = 'ORIGINAL' AND status = 'ISSUED'`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Waits until every order produced so far is ISSUED in the database; returns when that happened. */
export async function waitAllIssued(world: ChaosWorld, timeoutMs: number): Promise<number> {
  const expected = world.orders.length;
  await waitFor(async () => (await issuedCount(world)) >= expected, {
    timeoutMs,
    intervalMs: 200,
    description: `${expected} orders ISSUED`,
  });
  return Date.now();
}

async function groupLag(world: ChaosWorld): Promise<number> {
  const admin = world.kafka.admin();
  await admin.connect();
  try {
    let lag = 0;
    for (const topic of [world.topics.issuance, world.topics.retry]) {
      const ends = await admin.topicOffsets(topic);
      const committed = await admin.groupOffsets(world.groupId, topic);
      for (const end of ends) {
        if (Number(end.high) === Number(end.low)) continue;
        const at = committed.find((c) => c.partition === end.partition);
        const offset = at && Number(at.offset) >= 0 ? Number(at.offset) : Number(end.low);
        lag += Math.max(0, Number(end.high) - offset);
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Runs the checks once the scenario's faults are over and the workload has stopped. `settleMs`: how
 * long to wait for the consumer group to reach the end of issuance and retry (offsets are committed a
 * little after the work).
 */
export async function verify(world: ChaosWorld, { settleMs = 60_000 } = {}): Promise<CheckResult> {
  const problems: string[] = [];
  const orders = new Set(world.orders);
  const rows = await dbInvoices(world);
  const byOrder = new Map<string, InvoiceRow[]>();
  for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);

  const report = world.sim.report();
  let lost = 0;
  let duplicates = report.duplicateKeys;
  let issuedInDb = 0;
  let agreeing = 0;
  for (const orderId of orders) {
    const invoices = byOrder.get(orderId) ?? [];
    if (invoices.length > 1) {
      duplicates++;
      problems.push(`order ${orderId} has ${invoices.length} invoice rows`);
    }
    const issued = invoices.filter((r) => r.status === "ISSUED");
    if (issued.length === 0) {
      lost++;
      if (problems.length < 20)
        problems.push(
          `order ${orderId} not issued (${invoices.map((r) => r.status).join(",") || "no invoice"})`,
        );
      continue;
    }
    issuedInDb++;
    for (const row of issued) {
      const atProvider = world.sim.invoices(SELLER_TAX_CODE, row.transactionUuid);
      if (atProvider.length !== 1) {
        if (atProvider.length === 0) lost++;
        if (problems.length < 20)
          problems.push(
            `order ${orderId} key ${row.transactionUuid}: ${atProvider.length} invoices at the provider`,
          );
        continue;
      }
      // Our row may keep the number alone ("26") or the provider's form, series + number ("C26TAA26").
      const provider = atProvider[0];
      const sameNumber =
        row.providerInvoiceNo === provider?.invoiceNo ||
        row.providerInvoiceNo === String(provider?.invoiceNumber);
      if (!sameNumber && problems.length < 20) {
        problems.push(
          `order ${orderId}: number ${row.providerInvoiceNo} in the database, ${provider?.invoiceNo} at the provider`,
        );
        continue;
      }
      agreeing++;
    }
  }
  for (const orderId of byOrder.keys()) {
    if (!orders.has(orderId)) problems.push(`invoice for an order never produced: ${orderId}`);
  }
  if (report.issued !== issuedInDb) {
    problems.push(`provider issued ${report.issued} invoices, the database has ${issuedInDb} ISSUED`);
  }
  if (report.duplicateKeys > 0) {
    problems.push(
      `provider duplicates: ${report.duplicates.map((d) => `${d.transactionUuid}×${d.count}`).join(", ")}`,
    );
  }
  if (agreeing !== orders.size) problems.push(`${agreeing} of ${orders.size} orders agree with the provider`);

  const states = await orderStates(world);
  let stuck = 0;
  for (const orderId of orders) {
    const status = states.get(orderId);
    if (status !== "ISSUED") stuck++;
  }
  if (stuck > 0) problems.push(`${stuck} orders not in a terminal ISSUED state`);

  let lag = await groupLag(world);
  const deadline = Date.now() + settleMs;
  while (lag > 0 && Date.now() < deadline) {
    // The poll interval of a condition wait (lag 0) bounded by settleMs, not a fixed wait.
    await new Promise((resolve) => setTimeout(resolve, 500));
    lag = await groupLag(world);
  }
  if (lag > 0) problems.push(`consumer group ${world.groupId} is ${lag} records behind on issuance/retry`);

  const dlqRecords = await world
    .readTopic(world.topics.dlq, world.poison.length, 180_000)
    .catch((error: unknown) => {
      problems.push(`DLQ not readable: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    });
  const poison = new Set(world.poison);
  const wrongDlq = dlqRecords.filter((r) => !poison.has(r.key?.toString("utf8") ?? ""));
  if (wrongDlq.length > 0)
    problems.push(
      `${wrongDlq.length} records in the DLQ that should not be: ${wrongDlq
        .slice(0, 5)
        .map((r) => r.key?.toString())
        .join(",")}`,
    );
  const dlqKeys = new Set(dlqRecords.map((r) => r.key?.toString("utf8") ?? ""));
  const missingPoison = world.poison.filter((k) => !dlqKeys.has(k));
  if (missingPoison.length > 0) problems.push(`${missingPoison.length} poison records not in the DLQ`);

  const events = await world.readTopic(world.topics.events, orders.size, 180_000).catch((error: unknown) => {
    problems.push(`events not readable: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  });
  const published = new Set<string>();
  let failedEvents = 0;
  for (const record of events) {
    if (!record.value) continue;
    const decoded = await world.codec.decode<{ orderId: string; type: string }>(record.value);
    if (decoded.value.type === "INVOICE_ISSUED") published.add(decoded.value.orderId);
    if (decoded.value.type === "INVOICE_FAILED") failedEvents++;
  }
  const unpublished = [...orders].filter((o) => !published.has(o));
  if (unpublished.length > 0)
    problems.push(
      `${unpublished.length} orders without InvoiceIssued on ${world.topics.events} (${unpublished
        .slice(0, 5)
        .join(", ")}; ${events.length} records read)`,
    );
  if (failedEvents > 0) problems.push(`${failedEvents} InvoiceFailed events`);

  return {
    passed: problems.length === 0,
    orders: orders.size,
    issuedInDb,
    issuedAtProvider: report.issued,
    lost,
    duplicates,
    dlq: dlqRecords.length,
    expectedDlq: world.poison.length,
    stuck,
    lag,
    published: published.size,
    problems,
  };
}
