/**
 * The webhook side of a chaos world: the real ingest (services/ingest/src/main.ts, HTTP edge only)
 * publishing onto the world's invoice.issuance, and a merchant that sends signed `payment.succeeded`
 * webhooks at a steady rate and retries each delivery until it is answered 202, as the README asks a
 * sender to (same event, signed again with the current time). An order joins `world.orders` — the
 * orders the end checks hold to "invoiced exactly once" — when ingest accepted it.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { signWebhook } from "@invoice/crypto";
import { type ServiceProcess, stackEnv, startServiceProcess } from "@invoice/testing";
import type { ChaosWorld } from "./harness.ts";

const WEBHOOK_SECRET = `whsec_chaos_${randomBytes(24).toString("hex")}`;
const INGEST_START_TIMEOUT_MS = 120_000;
/** One attempt's limit; a busy machine answers in well under a second. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const RETRY_DELAY_MS = 500;
/** How long a delivery is retried before the scenario counts it as refused for good. */
const DELIVERY_DEADLINE_MS = 120_000;

export interface Ingest {
  proc: ServiceProcess;
  url: string;
  /** GET /ready: its HTTP status (0 when ingest did not answer) and the body's status. */
  ready(): Promise<{ status: number; state?: string }>;
  /** `invoice_redis_connected` on its /metrics (undefined when absent or unanswered). */
  redisConnected(): Promise<number | undefined>;
  /** SIGTERM, then its logs written beside the issuers' (world.logDir). */
  stop(): Promise<void>;
}

export async function startIngest(world: ChaosWorld, redisUrl: string): Promise<Ingest> {
  const stack = stackEnv();
  const proc = startServiceProcess("ingest", [], {
    KAFKA_BROKERS: world.brokers.join(","),
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    REDIS_URL: redisUrl,
    DATABASE_URL: world.database.url,
    PORT: "0",
    // Beside the issuers' ids (100-899) in the world's database.
    APP_ENV_INVOICE_WORKER_ID: "950",
    APP_ENV_INVOICE_SERVICE_CODE: `CHAOS-IN-${world.runId.slice(-8).toUpperCase()}`,
    APP_ENV_INVOICE_CREDENTIALS_KEY: randomBytes(32).toString("hex"),
    WEBHOOK_SECRET,
    WEBHOOK_REPLAY_KEY_PREFIX: `${world.runId}:replay`,
    INVOICE_ISSUANCE_TOPIC: world.topics.issuance,
    INVOICE_EVENTS_TOPIC: world.topics.events,
    // The HTTP edge only: the commerce consumers and outbound webhooks are not under test here.
    INGEST_CONSUMERS_ENABLED: "false",
    DATABASE_CONNECT_TIMEOUT_MS: "30000",
    SHUTDOWN_GRACE_MS: "10000",
    LOG_LEVEL: "info",
  });
  const port = await proc.port(INGEST_START_TIMEOUT_MS);
  const url = `http://127.0.0.1:${port}`;
  return {
    proc,
    url,
    async ready() {
      try {
        const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
        const body = (await response.json().catch(() => ({}))) as { status?: string };
        return { status: response.status, ...(body.status ? { state: body.status } : {}) };
      } catch {
        return { status: 0 };
      }
    },
    async redisConnected() {
      try {
        const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
        const line = (await response.text()).split("\n").find((l) => l.startsWith("invoice_redis_connected"));
        return line === undefined ? undefined : Number(line.split(" ").at(-1));
      } catch {
        return undefined;
      }
    },
    async stop() {
      await proc.stop("SIGTERM");
      mkdirSync(world.logDir, { recursive: true });
      writeFileSync(
        join(world.logDir, "ingest.log"),
        `${proc.logs.map((l) => JSON.stringify(l)).join("\n")}\n`,
      );
      writeFileSync(join(world.logDir, "ingest.stderr"), proc.stderr());
    },
  };
}

export interface Delivery {
  body: string;
  signature: string;
}

export interface WebhookAnswer {
  status: number;
  eventId?: string;
  duplicate?: boolean;
  /** problem+json's code on a refusal. */
  code?: string;
}

/** One POST of exactly these bytes and this signature (a replay when they were sent before). */
export async function post(ingest: Ingest, delivery: Delivery): Promise<WebhookAnswer> {
  try {
    const response = await fetch(`${ingest.url}/v1/api/webhooks/merchant`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": delivery.signature },
      body: delivery.body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as Omit<WebhookAnswer, "status">;
    return {
      status: response.status,
      ...(body.eventId !== undefined ? { eventId: body.eventId } : {}),
      ...(body.duplicate !== undefined ? { duplicate: body.duplicate } : {}),
      ...(body.code !== undefined ? { code: body.code } : {}),
    };
  } catch {
    return { status: 0 };
  }
}

export interface WebhookSender {
  /** Answers seen so far, by status (0: no answer), and the times they came. */
  answers: Array<{ at: number; status: number }>;
  /** The last delivery answered 202 as new, with its exact bytes and signature (to replay it). */
  lastAccepted(): Delivery | undefined;
  /** Orders refused for good (a 4xx that retrying cannot change, or no 202 within the deadline). */
  refused: Array<{ orderId: string; status: number; code?: string }>;
  stop(): Promise<void>;
}

export function webhookSender(world: ChaosWorld, ingest: Ingest, perSecond: number): WebhookSender {
  const answers: WebhookSender["answers"] = [];
  const refused: WebhookSender["refused"] = [];
  let last: Delivery | undefined;
  let seq = 0;
  let running = true;
  const inFlight = new Set<Promise<void>>();

  const body = (orderId: string, n: number): string => {
    const quantity = 1 + (n % 3);
    const unitPriceVnd = 100_000 + (n % 7) * 10_000;
    const amount = quantity * unitPriceVnd;
    return JSON.stringify({
      eventId: `${orderId}:paid`,
      type: "payment.succeeded",
      occurredAt: new Date().toISOString(),
      merchantId: world.merchantId,
      orderId,
      data: {
        paymentId: `P-${orderId}`,
        amountVnd: amount + Math.round(amount * 0.1),
        lines: [
          {
            sku: `SKU-${n % 5}`,
            name: "Bánh mì",
            unit: "ổ",
            quantity: String(quantity),
            unitPriceVnd,
            vatCategory: "10",
          },
        ],
        // Every other order carries company buyer info; the others go to the anonymous buyer.
        ...(n % 2 === 0
          ? {
              buyer: {
                kind: "company",
                name: "Công ty TNHH Hóa Đơn Việt",
                taxCode: "0100109106",
                address: "Số 1 Tràng Tiền, Hà Nội",
                email: "ketoan@example.vn",
              },
            }
          : {}),
      },
    });
  };

  const deliver = async (orderId: string, n: number): Promise<void> => {
    const payload = body(orderId, n);
    const deadline = Date.now() + DELIVERY_DEADLINE_MS;
    while (Date.now() < deadline) {
      const signature = signWebhook({
        secret: WEBHOOK_SECRET,
        timestamp: Math.floor(Date.now() / 1000),
        rawBody: payload,
      });
      const answer = await post(ingest, { body: payload, signature });
      answers.push({ at: Date.now(), status: answer.status });
      if (answer.status === 202) {
        world.orders.push(orderId);
        if (answer.duplicate === false) last = { body: payload, signature };
        return;
      }
      // A 4xx other than 409 (the same delivery in progress) and 429 is the request's own fault.
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 409 && answer.status !== 429) {
        refused.push({ orderId, status: answer.status, ...(answer.code ? { code: answer.code } : {}) });
        return;
      }
      // A refusal with a retry-after (503) or no answer: the sender tries again, as documented.
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
    refused.push({ orderId, status: 0, code: "DEADLINE" });
  };

  const loop = (async () => {
    const tickMs = 250;
    const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
    while (running) {
      for (let i = 0; i < perTick; i++) {
        seq++;
        const delivery = deliver(`W-${world.runId.slice(-14)}-${seq}`, seq);
        inFlight.add(delivery);
        void delivery.finally(() => inFlight.delete(delivery));
      }
      // Pacing: deliveries run on their own; the loop only keeps the rate.
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
  })();

  return {
    answers,
    refused,
    lastAccepted: () => last,
    async stop() {
      running = false;
      await loop;
      await Promise.all([...inFlight]);
    },
  };
}
