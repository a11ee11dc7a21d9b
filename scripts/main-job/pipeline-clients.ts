/**
 * How the main job talks to the running platform, each as a caller from outside would: signed
 * webhooks and commerce Avro records into ingest, the merchant REST API with a dev token, the claims
 * API as a buyer, and the provider simulator's admin API.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { loadOrCreateDevKeys, signDevToken } from "@invoice/cli";
import { signWebhook } from "@invoice/crypto";
import type { AvroCodec, Producer } from "@invoice/kafka";
import { loadSchema, type SchemaName, valueSubject } from "@invoice/schemas";

export async function http(
  method: string,
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; raw?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const raw = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(url, {
    method,
    headers: { ...(raw !== undefined ? { "content-type": "application/json" } : {}), ...options.headers },
    ...(raw !== undefined ? { body: raw } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

/** Retries 409/429/503 (in progress, rate limited, Kafka unavailable) and network errors, with backoff. */
export async function withRetries<T extends { status: number }>(
  call: () => Promise<T>,
  what: string,
  attempts = 30,
): Promise<T> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const result = await call();
      if (![409, 429, 502, 503, 504].includes(result.status)) return result;
      last = new Error(
        `${what}: HTTP ${result.status} ${JSON.stringify((result as { body?: unknown }).body)}`,
      );
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
  }
  throw last instanceof Error ? last : new Error(`${what} failed`);
}

export interface WebhookEvent {
  eventId: string;
  type: "payment.succeeded" | "invoice.requested" | "payment.refunded";
  occurredAt: string;
  merchantId: string;
  orderId: string;
  data: Record<string, unknown>;
}

export function webhookSender(ingestUrl: string, secret: string) {
  return async (event: WebhookEvent): Promise<void> => {
    const raw = JSON.stringify(event);
    const result = await withRetries(
      () =>
        // Re-signed on every try (fresh t), same eventId: the platform drops a repeat.
        http("POST", `${ingestUrl}/v1/api/webhooks/merchant`, {
          raw,
          headers: {
            "x-signature": signWebhook({ secret, timestamp: Math.floor(Date.now() / 1000), rawBody: raw }),
          },
        }),
      `webhook ${event.type} ${event.orderId}`,
    );
    if (result.status !== 202) {
      throw new Error(
        `webhook ${event.type} ${event.orderId}: HTTP ${result.status} ${JSON.stringify(result.body)}`,
      );
    }
  };
}

/** Commerce's side of the Avro topics: Confluent wire format with the registered schema's id. */
export async function commerceWriter(codec: AvroCodec, producer: Producer) {
  const ids = new Map<string, number>();
  const topics: Record<string, SchemaName> = {
    "commerce.payment.succeeded": "commerce-payment-succeeded",
    "commerce.invoice.requested": "commerce-invoice-requested",
    "commerce.payment.refunded": "commerce-payment-refunded",
  };
  for (const [topic, schema] of Object.entries(topics)) {
    ids.set(topic, await codec.register(valueSubject(topic), loadSchema(schema)));
  }
  return async (
    topic: keyof typeof topics,
    records: Array<{ key: string; value: Record<string, unknown> }>,
  ) => {
    const id = ids.get(topic) as number;
    const encoded = await Promise.all(
      records.map(async (r) => ({
        key: r.key,
        value: await codec.encode(id, r.value),
        headers: { origin: "main-job" },
      })),
    );
    await producer.send(topic, encoded);
  };
}

export async function merchantToken(merchants: string[], permissions: string[], ttlSeconds: number) {
  const dir = join(process.env.INVOICE_STACK_DIR ?? ".stack", "dev-jwt");
  const keys = await loadOrCreateDevKeys(dir);
  return signDevToken(keys, { merchants, permissions, ttlSeconds, subject: "main-job" });
}

export function merchantApi(ingestUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const result = await withRetries(
      () =>
        http(method, `${ingestUrl}/v1/api${path}`, {
          ...(body === undefined ? {} : { body }),
          headers: { authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
        }),
      `${method} ${path}`,
    );
    if (result.status >= 300)
      throw new Error(`${method} ${path}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  };
}

export function simulatorAdmin(url: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const result = await http(method, `${url}${path}`, body === undefined ? {} : { body });
    if (result.status >= 300) throw new Error(`simulator ${method} ${path}: HTTP ${result.status}`);
    return result.body as Record<string, unknown>;
  };
  return {
    configure: (patch: Record<string, unknown>) => call("PATCH", "/admin/config", patch),
    outage: (durationMs: number) => call("POST", "/admin/outage", { durationMs, mode: "503" }),
    report: () => call("GET", "/admin/report"),
  };
}
