/**
 * The small load of the dashboard test, through the real edges: signed merchant webhooks into
 * ingest, buyers on the claims API, hand-written Debezium change events (the shape Debezium 3.6.1
 * writes, services/cdc-sync/src/testing) on cdc-sync's topic, and the provider simulator's faults.
 * Plus the reads the test waits on: the world's database, its Prometheus and its services' /metrics.
 */
import { randomUUID } from "node:crypto";
import { debeziumEnvelope, jsonBytes, merchantRow } from "@invoice/cdc-sync/testing";
import { signWebhook } from "@invoice/crypto";
import { waitFor } from "@invoice/testing";
import type { OpsWorld } from "./ops-world.ts";

export const COMPANY_BUYER = {
  kind: "company",
  name: "Công ty TNHH Sữa Việt",
  taxCode: "0300588569",
  address: "10 Tân Trào, Phường Tân Phú, TP. Hồ Chí Minh",
};

/** The claim form's company, with a seeded province and commune. */
export const CLAIMING_COMPANY = {
  buyerType: "company",
  taxCode: "0100109106",
  name: "Công ty TNHH Hoa Sen",
  street: "12 Lê Lợi",
  provinceCode: "79",
  communeCode: "26740",
  email: "ketoan@hoasen.vn",
};

export const newOrderId = () => `OPS-ORD-${randomUUID()}`;

export function webhookBody(world: OpsWorld, orderId: string, buyer?: object): string {
  return JSON.stringify({
    eventId: `pay-${orderId}`,
    type: "payment.succeeded",
    occurredAt: new Date().toISOString(),
    merchantId: world.merchantId,
    orderId,
    data: {
      paymentId: `p-${orderId}`,
      amountVnd: 330_000,
      lines: [
        { sku: "AT-01", name: "Áo thun cotton", quantity: 2, unitPriceVnd: 150_000, vatCategory: "10" },
      ],
      ...(buyer ? { buyer } : {}),
    },
  });
}

export interface SignedDelivery {
  body: string;
  timestamp: number;
}

/** POSTs a signed merchant webhook (signed now unless `timestamp` says when); the HTTP status. */
export async function postWebhook(
  world: OpsWorld,
  body: string,
  { secret = world.webhookSecret, timestamp = Math.floor(Date.now() / 1000) } = {},
) {
  const response = await fetch(`http://127.0.0.1:${world.ports.ingest}/v1/api/webhooks/merchant`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-signature": signWebhook({ secret, timestamp, rawBody: body }),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** A paid order through ingest's webhook; throws unless ingest answered 202. The delivery, to repeat it. */
export async function pay(world: OpsWorld, orderId: string, buyer?: object): Promise<SignedDelivery> {
  const delivery = { body: webhookBody(world, orderId, buyer), timestamp: Math.floor(Date.now() / 1000) };
  const status = await postWebhook(world, delivery.body, { timestamp: delivery.timestamp });
  if (status !== 202) throw new Error(`payment webhook for ${orderId} answered ${status}`);
  return delivery;
}

export async function invoiceStatuses(world: OpsWorld, orderIds: string[]): Promise<Map<string, string>> {
  const { rows } = await world.db.query<{ orderId: string; status: string }>(
    `SELECT "orderId", status::text AS status FROM "invoice"."Invoice" WHERE "orderId" = ANY($1)`,
    [orderIds],
  );
  return new Map(rows.map((r) => [r.orderId, r.status]));
}

export function untilInvoices(world: OpsWorld, orderIds: string[], status: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const statuses = await invoiceStatuses(world, orderIds);
      return orderIds.every((o) => statuses.get(o) === status);
    },
    { timeoutMs, intervalMs: 500, description: `${orderIds.length} invoice(s) ${status}` },
  );
}

export function claimToken(world: OpsWorld, orderId: string): Promise<string> {
  return waitFor(
    async () => {
      const { rows } = await world.db.query<{ token: string }>(
        `SELECT token::text AS token FROM "invoice"."Claim" WHERE "orderId" = $1`,
        [orderId],
      );
      return rows[0]?.token;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `the claim of ${orderId}` },
  );
}

/** A claims API request from `address` (the service trusts one proxy hop: X-Forwarded-For). */
export async function claimsRequest(world: OpsWorld, path: string, address: string, body?: object) {
  const response = await fetch(`http://127.0.0.1:${world.ports.claims}/v1/api/claims/${path}`, {
    method: body ? "POST" : "GET",
    headers: {
      accept: "application/json",
      "x-forwarded-for": address,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Merchant change events on cdc-sync's topic, one of each outcome the dashboard shows: applied
 * (create, update), unchanged (a non-tax column), stale (an older LSN after a newer one), an invalid
 * tax code (stored and flagged), and a row the mapping cannot read (dead-lettered). Commerce's table
 * then holds the same rows plus one merchant TaxInfo never heard of: the drift check's
 * TAXINFO_MISSING. Returns the merchant ids.
 */
export async function sendMerchantChanges(world: OpsWorld) {
  const a = `${world.merchantId}-CDC-A`;
  const b = `${world.merchantId}-CDC-B`;
  const lost = `${world.merchantId}-CDC-LOST`;
  const now = Date.now();
  const renamed = merchantRow(a, { legal_name: "Công ty TNHH A mới" });
  const events = [
    debeziumEnvelope({ op: "c", after: merchantRow(a), lsn: 1_000, tsMs: now }),
    debeziumEnvelope({ op: "u", after: renamed, lsn: 2_000, tsMs: now }),
    debeziumEnvelope({
      op: "u",
      after: { ...renamed, shop_url: "https://a.example.vn" },
      lsn: 3_000,
      tsMs: now,
    }),
    debeziumEnvelope({ op: "u", after: merchantRow(a, { legal_name: "Tên cũ" }), lsn: 1_500, tsMs: now }),
    debeziumEnvelope({ op: "c", after: merchantRow(b, { tax_code: "12345" }), lsn: 4_000, tsMs: now }),
    debeziumEnvelope({ op: "c", after: merchantRow("x", { id: null }), lsn: 5_000, tsMs: now }),
  ];
  await world.producer.send(
    world.topics.cdc,
    events.map((value) => {
      const after = value.after as { id?: string | null };
      return { key: JSON.stringify({ id: after.id ?? null }), value: jsonBytes(value) };
    }),
  );
  const insert = `INSERT INTO "Merchant" (id, tax_code, legal_name, address, province_code, commune_code, email, phone,
      vat_method, einvoice_enabled, einvoice_template_code, einvoice_series, shop_url)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;
  for (const row of [
    { ...renamed, shop_url: "https://a.example.vn" },
    merchantRow(b, { tax_code: "12345" }),
    merchantRow(lost),
  ]) {
    await world.commerce.query(insert, [
      row.id,
      row.tax_code,
      row.legal_name,
      row.address,
      row.province_code,
      row.commune_code,
      row.email,
      row.phone,
      row.vat_method,
      row.einvoice_enabled,
      row.einvoice_template_code,
      row.einvoice_series,
      row.shop_url,
    ]);
  }
  return { a, b, lost };
}

/** An undecodable record on the issuer's topic (not Avro): dead-lettered as `deserialization`. */
export async function sendPoison(world: OpsWorld): Promise<string> {
  const key = newOrderId();
  await world.producer.send(world.topics.issuance, [{ key, value: Buffer.from("not avro at all") }]);
  return key;
}

/** The series the issuer uses for merchants without a profile: C + two-digit year + TAA, around today. */
export function devSeries(now = Date.now()): string[] {
  const years = new Set([-1, 0, 1].map((d) => new Date(now + d * 86_400_000).getUTCFullYear() % 100));
  return [...years].map((yy) => `1/001|C${String(yy).padStart(2, "0")}TAA`);
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface QueryAnswer<R> {
  status: string;
  error?: string;
  data?: { resultType: string; result: R[] };
}
export interface Series {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export async function promQuery(world: OpsWorld, expr: string): Promise<QueryAnswer<Sample>> {
  const response = await fetch(`${world.promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as QueryAnswer<Sample>;
}

/** A range query over the whole test so far, the way a dashboard panel asks (step 2 s). */
export async function promRange(world: OpsWorld, expr: string): Promise<QueryAnswer<Series>> {
  const params = new URLSearchParams({
    query: expr,
    start: String(world.startedAt / 1000),
    end: String(Date.now() / 1000),
    step: "2",
  });
  const response = await fetch(`${world.promUrl}/api/v1/query_range?${params}`);
  return (await response.json()) as QueryAnswer<Series>;
}

/** `label_values(<selector>, <label>)` as Grafana's variable query: the values Prometheus has. */
export async function labelValues(world: OpsWorld, query: string): Promise<string[]> {
  const match = /^label_values\((.+),\s*([a-z_]+)\)$/.exec(query.trim());
  if (!match) throw new Error(`not a label_values query: ${query}`);
  const params = new URLSearchParams({
    "match[]": match[1] as string,
    start: String(world.startedAt / 1000),
  });
  const response = await fetch(`${world.promUrl}/api/v1/label/${match[2]}/values?${params}`);
  const body = (await response.json()) as { data?: string[] };
  return body.data ?? [];
}

/** Largest value of an instant query (NaN when it has none). */
export async function promMax(world: OpsWorld, expr: string): Promise<number> {
  const answer = await promQuery(world, expr);
  const values = (answer.data?.result ?? []).map((s) => Number(s.value[1]));
  return values.length ? Math.max(...values) : Number.NaN;
}
