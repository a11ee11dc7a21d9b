/**
 * Delivers recorded WebhookDelivery rows: at least once, signed (X-Signature, the same scheme as the
 * inbound webhooks, one v1= per secret in use), with X-Event-Id for the merchant's dedupe.
 *
 * Claiming: one UPDATE leases due rows (leaseUntil = now + timeout + margin), round-robin across
 * endpoints and at most OUTBOUND_WEBHOOK_PER_ENDPOINT_CONCURRENCY per endpoint in this process, so a
 * slow or dead endpoint holds only its own slots while the others keep flowing; the lease makes a
 * second replica skip the row, and a worker that died mid-attempt loses it to the next one when the
 * lease runs out (the endpoint may then see the event twice: hence the eventId).
 *
 * Outcomes: 2xx delivered; 408, 429, 5xx, timeouts and network errors retried with backoff
 * (delivery-backoff.ts) until OUTBOUND_WEBHOOK_MAX_ATTEMPTS; other answers (4xx, and 3xx: redirects
 * are never followed) failed; a target that is not allowed (safe-target.ts) refused. Every attempt is
 * a WebhookDeliveryAttempt row, written with the delivery's new state in one transaction.
 */
import type { Keyring } from "@invoice/crypto";
import { signWebhook } from "@invoice/crypto";
import type { PrismaClient } from "@invoice/db";
import type { IdGenerator } from "@invoice/ids";
import { invoiceCounter, type Logger, type Registry } from "@invoice/observability";
import { Agent, request } from "undici";
import { type AttemptOutcome, classifyStatus, parseRetryAfter, retryDelayMs } from "./delivery-backoff.ts";
import { guardedLookup, isPublicAddress, parseTargetUrl, TargetRefusedError } from "./safe-target.ts";
import { signingSecrets } from "./webhook-repository.ts";

export interface DeliveryWorkerSettings {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  concurrency: number;
  perEndpointConcurrency: number;
  pollIntervalMs: number;
}

interface Claimed {
  id: bigint;
  webhookId: bigint;
  eventId: string;
  eventType: string;
  payload: string;
  attemptCount: number;
}

const USER_AGENT = "invoice-platform-webhooks/1";
const MAX_ERROR = 500;

export function createDeliveryWorker(deps: {
  prisma: Pick<PrismaClient, "$queryRawUnsafe" | "$transaction" | "webhook" | "webhookDelivery">;
  ids: IdGenerator;
  keyring: Keyring;
  options: DeliveryWorkerSettings;
  logger: Logger;
  metrics: Registry;
  now?: () => number;
  random?: () => number;
}) {
  const { options, prisma } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ component: "webhook delivery worker" });
  const attempts = invoiceCounter(deps.metrics, {
    name: "webhook_delivery_attempts",
    help: "Outbound webhook attempts by outcome (DELIVERED, RETRY, FAILED, REFUSED)",
    labelNames: ["outcome"],
  });
  const agent = new Agent({
    connect: { lookup: guardedLookup(options.allowPrivateTargets) as never, timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    pipelining: 0,
  });
  const inFlight = new Map<bigint, number>();
  let total = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  const active = new Set<Promise<void>>();
  let aborter = new AbortController();

  async function claim(limit: number): Promise<Claimed[]> {
    const busy = [...inFlight.entries()];
    const at = new Date(now());
    const leaseUntil = new Date(now() + options.timeoutMs * 2 + 5_000);
    return prisma.$queryRawUnsafe<Claimed[]>(
      `UPDATE "WebhookDelivery" d
          SET "leaseUntil" = $1, "attemptCount" = d."attemptCount" + 1, "updatedAt" = $2
         FROM (
           SELECT ranked.id FROM (
             SELECT id, "webhookId",
                    row_number() OVER (PARTITION BY "webhookId" ORDER BY "nextAttemptAt", id) AS rn
               FROM "WebhookDelivery"
              WHERE status = 'PENDING' AND "nextAttemptAt" <= $2 AND ("leaseUntil" IS NULL OR "leaseUntil" <= $2)
           ) ranked
           LEFT JOIN unnest($3::bigint[], $4::int[]) AS busy("webhookId", n) ON busy."webhookId" = ranked."webhookId"
          WHERE ranked.rn <= $5 - COALESCE(busy.n, 0)
          ORDER BY ranked.rn, ranked.id
          LIMIT $6
         ) picked
        WHERE d.id = picked.id AND d.status = 'PENDING' AND (d."leaseUntil" IS NULL OR d."leaseUntil" <= $2)
      RETURNING d.id, d."webhookId", d."eventId", d."eventType", d.payload, d."attemptCount"`,
      leaseUntil,
      at,
      busy.map(([id]) => id),
      busy.map(([, n]) => n),
      options.perEndpointConcurrency,
      limit,
    );
  }

  async function send(delivery: Claimed, url: URL, secrets: string[]) {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    // Literal IP hosts never reach the lookup hook: judge them here.
    if (!options.allowPrivateTargets && /^[\d.]+$|:/.test(host) && !isPublicAddress(host)) {
      throw new TargetRefusedError("address_not_allowed", "webhook target is not a public address");
    }
    const timestamp = Math.floor(now() / 1000);
    // One controller per call: the timeout, or the worker stopping past its budget, aborts it.
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error("timed out")), options.timeoutMs);
    const onStop = () => controller.abort(new Error("worker stopping"));
    const stopping = aborter.signal;
    stopping.addEventListener("abort", onStop, { once: true });
    try {
      return await post(delivery, url, secrets, timestamp, controller.signal);
    } finally {
      clearTimeout(timeout);
      stopping.removeEventListener("abort", onStop);
    }
  }

  async function post(
    delivery: Claimed,
    url: URL,
    secrets: string[],
    timestamp: number,
    signal: AbortSignal,
  ) {
    // undici's request() never follows redirects: a 3xx is recorded as an answer, not followed.
    const response = await request(url, {
      method: "POST",
      dispatcher: agent,
      body: delivery.payload,
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "x-signature": signWebhook({ secret: secrets, timestamp, rawBody: delivery.payload }),
        "x-event-id": delivery.eventId,
        "x-event-type": delivery.eventType,
        "x-delivery-id": delivery.id.toString(),
        "x-delivery-attempt": String(delivery.attemptCount),
      },
    });
    await response.body.dump({ limit: 65_536 }).catch(() => undefined);
    return {
      status: response.statusCode,
      retryAfter: parseRetryAfter(response.headers["retry-after"], now()),
    };
  }

  async function attempt(delivery: Claimed): Promise<void> {
    const startedAt = now();
    let outcome: AttemptOutcome;
    let httpStatus: number | null = null;
    let error: string | null = null;
    let retryAfter: number | undefined;
    try {
      const target = await signingSecrets(prisma, deps.keyring, delivery.webhookId, new Date(startedAt));
      if (!target?.active) {
        outcome = "FAILED";
        error = "endpoint disabled or removed";
      } else {
        const url = parseTargetUrl(target.url, options.allowPrivateTargets);
        const answer = await send(delivery, url, target.secrets);
        httpStatus = answer.status;
        retryAfter = answer.retryAfter;
        outcome = answer.status >= 300 && answer.status < 400 ? "FAILED" : classifyStatus(answer.status);
        if (outcome !== "DELIVERED")
          error = answer.status < 400 ? "redirects are not followed" : `HTTP ${answer.status}`;
      }
    } catch (cause) {
      const refused =
        cause instanceof TargetRefusedError ||
        (cause as { cause?: unknown })?.cause instanceof TargetRefusedError;
      outcome = refused ? "REFUSED" : "RETRY";
      error = (cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)).slice(
        0,
        MAX_ERROR,
      );
    }
    const durationMs = Math.max(0, Math.round(now() - startedAt));
    const exhausted = outcome === "RETRY" && delivery.attemptCount >= options.maxAttempts;
    const status =
      outcome === "DELIVERED" ? "DELIVERED" : outcome === "RETRY" && !exhausted ? "PENDING" : "FAILED";
    const nextAttemptAt = new Date(
      now() +
        retryDelayMs({
          attempt: delivery.attemptCount,
          baseMs: options.backoffBaseMs,
          maxMs: options.backoffMaxMs,
          random: random(),
          ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
        }),
    );
    attempts.inc({ outcome });
    const finalError = exhausted ? `${error} (attempts exhausted)` : error;
    await prisma.$transaction([
      prisma.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          status,
          leaseUntil: null,
          lastAttemptAt: new Date(startedAt),
          lastHttpStatus: httpStatus,
          lastError: finalError?.slice(0, MAX_ERROR) ?? null,
          ...(status === "PENDING" ? { nextAttemptAt } : {}),
          ...(status === "DELIVERED" ? { deliveredAt: new Date(now()) } : {}),
          attempts: {
            create: {
              id: deps.ids.next(),
              attempt: delivery.attemptCount,
              startedAt: new Date(startedAt),
              durationMs,
              httpStatus,
              outcome,
              error: error?.slice(0, MAX_ERROR) ?? null,
            },
          },
        },
      }),
    ]);
    const fields = {
      deliveryId: delivery.id.toString(),
      webhookId: delivery.webhookId.toString(),
      eventId: delivery.eventId,
      attempt: delivery.attemptCount,
      httpStatus,
      outcome,
      durationMs,
    };
    if (outcome === "DELIVERED") log.info(fields, "webhook delivered");
    else log.warn({ ...fields, error: finalError, status }, "webhook delivery attempt failed");
  }

  function launch(delivery: Claimed): void {
    inFlight.set(delivery.webhookId, (inFlight.get(delivery.webhookId) ?? 0) + 1);
    total++;
    const task = attempt(delivery)
      .catch((error: unknown) =>
        log.error(
          { err: error, deliveryId: delivery.id.toString() },
          "webhook delivery bookkeeping failed; the lease will expire and it is tried again",
        ),
      )
      .finally(() => {
        const left = (inFlight.get(delivery.webhookId) ?? 1) - 1;
        if (left <= 0) inFlight.delete(delivery.webhookId);
        else inFlight.set(delivery.webhookId, left);
        total--;
        active.delete(task);
        if (running) schedule(0);
      });
    active.add(task);
  }

  async function poll(): Promise<void> {
    const free = options.concurrency - total;
    if (free <= 0) return;
    try {
      const claimed = await claim(free);
      for (const delivery of claimed) launch(delivery);
    } catch (error) {
      log.warn({ err: error }, "claiming webhook deliveries failed; trying again at the next poll");
    }
  }

  function schedule(delayMs: number): void {
    if (!running || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (polling) return schedule(options.pollIntervalMs);
      polling = poll().finally(() => {
        polling = undefined;
        schedule(options.pollIntervalMs);
      });
    }, delayMs);
  }

  return {
    start() {
      running = true;
      aborter = new AbortController();
      schedule(0);
    },
    async stop(signal: AbortSignal) {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      // In-flight attempts finish (their results are recorded); past the budget they are aborted and
      // recorded as retries — the lease would hand them to the next worker anyway.
      signal.addEventListener("abort", () => aborter.abort(), { once: true });
      await polling;
      await Promise.allSettled([...active]);
      await agent.close();
    },
    isRunning: () => running,
    /** Tests: wake the worker now instead of at the next poll. */
    wake: () => schedule(0),
  };
}
