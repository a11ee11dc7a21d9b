/**
 * POST /v1/api/webhooks/merchant and /v1/api/webhooks/internal: signature on the raw bytes first,
 * then JSON, event type, schema, replay cache, publish (acks=all), answer. The answer codes are the
 * table in services/ingest/README.md; every refusal is problem+json with a stable code.
 */
import { verifyWebhook, WEBHOOK_SIGNATURE_HEADER, type WebhookRejection } from "@invoice/crypto";
import { HttpProblem } from "@invoice/http";
import { invoiceCounter, type Logger, type Registry } from "@invoice/observability";
import express, { type Request, type RequestHandler, type Router } from "express";
import type { IssuancePublisher } from "../publishing/issuance-publisher.ts";
import { PublishUnavailableError } from "../publishing/issuance-publisher.ts";
import type { ReplayCache } from "./replay-cache.ts";
import { parseWebhookEvent, type WebhookRoute } from "./webhook-events.ts";

export interface WebhookRoutesOptions {
  /** Current and previous secret of each route (a rotation); empty = route not configured. */
  secrets: Record<WebhookRoute, readonly string[]>;
  toleranceSeconds: number;
  bodyLimitBytes: number;
  retryAfterSeconds: number;
  replay: ReplayCache;
  publisher: IssuancePublisher;
  logger: Logger;
  metrics: Registry;
  now?: () => number;
}

const REJECTION: Record<WebhookRejection, { code: string; detail: string }> = {
  missing_signature: { code: "SIGNATURE_MISSING", detail: "The X-Signature header is missing." },
  malformed_signature: {
    code: "SIGNATURE_MALFORMED",
    detail: "The X-Signature header must be t=<unix seconds>,v1=<64 hex characters>[,v1=...].",
  },
  timestamp_out_of_tolerance: {
    code: "SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE",
    detail: "The signature's timestamp is too far from the current time; sign again with the current time.",
  },
  signature_mismatch: {
    code: "SIGNATURE_MISMATCH",
    detail: "No v1 signature matches the body and timestamp with this route's secret.",
  },
};

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function webhookRoutes(options: WebhookRoutesOptions): (router: Router) => void {
  const now = options.now ?? Date.now;
  const rejections = invoiceCounter(options.metrics, {
    name: "webhook_rejections",
    help: "Inbound webhooks refused, by route and reason (signature, json, schema, event_type)",
    labelNames: ["route", "reason"],
  });
  const accepted = invoiceCounter(options.metrics, {
    name: "webhook_accepted",
    help: "Inbound webhooks answered 202, by route and whether they were an exact replay",
    labelNames: ["route", "duplicate"],
  });

  const handle =
    (route: WebhookRoute): RequestHandler =>
    async (req, res) => {
      const log = req.log ?? options.logger;
      const raw = req.rawBody ?? Buffer.alloc(0);
      const secrets = options.secrets[route];
      if (secrets.length === 0) {
        throw new HttpProblem({
          status: 503,
          code: "WEBHOOK_NOT_CONFIGURED",
          detail: `The ${route} webhook has no secret configured on this deployment.`,
        });
      }
      const verification = verifyWebhook({
        secret: secrets,
        signatureHeader: req.headers[WEBHOOK_SIGNATURE_HEADER],
        rawBody: raw,
        now: now(),
        toleranceSeconds: options.toleranceSeconds,
      });
      if (!verification.ok) {
        rejections.inc({ route, reason: verification.reason });
        log.warn({ route, reason: verification.reason }, "webhook rejected: signature");
        const { code, detail } = REJECTION[verification.reason];
        throw new HttpProblem({ status: 401, code, detail });
      }

      const body = parseBody(req, raw);
      if (body === INVALID) {
        rejections.inc({ route, reason: "json" });
        throw new HttpProblem({
          status: 400,
          code: "MALFORMED_JSON",
          detail: "Request body is not valid JSON.",
        });
      }
      const parsed = parseWebhookEvent(body, route);
      if (!parsed.ok) {
        if (parsed.status === 422) {
          rejections.inc({ route, reason: "event_type" });
          throw new HttpProblem({
            status: 422,
            code: parsed.code,
            detail: `Event type ${JSON.stringify(parsed.type.slice(0, 64))} is not accepted on the ${route} webhook.`,
            extensions: { acceptedTypes: parsed.accepted },
          });
        }
        rejections.inc({ route, reason: "schema" });
        throw new HttpProblem({
          status: 400,
          code: parsed.code,
          detail: `The event does not match its schema: ${parsed.errors.map((e) => e.path).join(", ")}.`,
          extensions: { errors: parsed.errors },
        });
      }

      const { event } = parsed;
      const { key, claim } = await options.replay.claim(route, verification.timestamp, raw);
      if (claim.state === "accepted") {
        accepted.inc({ route, duplicate: "true" });
        log.info(
          { route, orderId: event.orderId, eventId: claim.eventId },
          "webhook replay answered as duplicate",
        );
        res.status(202).json({ eventId: claim.eventId, status: "accepted", duplicate: true });
        return;
      }
      if (claim.state === "in-progress") {
        throw new HttpProblem({
          status: 409,
          code: "DELIVERY_IN_PROGRESS",
          detail: "The same signed delivery is being processed; retry shortly.",
          headers: { "retry-after": "1" },
        });
      }

      const traceparent = req.headers.traceparent;
      const headers: Record<string, string> =
        typeof traceparent === "string" && TRACEPARENT.test(traceparent) ? { traceparent } : {};
      let written: Awaited<ReturnType<IssuancePublisher["publish"]>>;
      try {
        written = await options.publisher.publish(event, headers);
      } catch (error) {
        if (claim.state === "new") await options.replay.release(key);
        if (error instanceof PublishUnavailableError) {
          log.warn(
            { err: error, route, orderId: event.orderId, eventId: event.eventId, sent: error.sent },
            "[enqueueIssuance] not acknowledged; answering 503",
          );
          throw new HttpProblem({
            status: 503,
            code: "KAFKA_UNAVAILABLE",
            detail:
              "The event could not be stored right now; nothing was accepted. Retry with the same eventId.",
            headers: { "retry-after": String(options.retryAfterSeconds) },
            cause: error,
          });
        }
        throw error;
      }
      if (claim.state === "new") await options.replay.accepted(key, event.eventId);
      accepted.inc({ route, duplicate: "false" });
      log.info(
        {
          route,
          orderId: event.orderId,
          merchantId: event.merchantId,
          eventId: event.eventId,
          type: event.type,
          topic: written.topic,
          partition: written.partition,
          offset: written.offset,
        },
        `[enqueueIssuance] orderId: ${event.orderId} partition: ${written.partition}`,
      );
      res.status(202).json({ eventId: event.eventId, status: "accepted", duplicate: false });
    };

  // Bodies the JSON parser skipped (no or another content type) are read raw here, so the signature
  // is checked on whatever bytes came; application/json bodies were captured as req.rawBody already.
  const rawFallback = express.raw({ type: () => true, limit: options.bodyLimitBytes });
  const readRaw: RequestHandler = (req, res, next) => {
    if (req.rawBody !== undefined) return next();
    rawFallback(req, res, (error?: unknown) => {
      if (error) {
        const type = (error as { type?: unknown }).type;
        if (type === "entity.too.large") {
          return next(
            new HttpProblem({
              status: 413,
              code: "PAYLOAD_TOO_LARGE",
              detail: "Request body is too large.",
              cause: error,
            }),
          );
        }
        if (type === "encoding.unsupported" || type === "charset.unsupported") {
          return next(
            new HttpProblem({
              status: 415,
              code: "UNSUPPORTED_ENCODING",
              detail: "Send the body as UTF-8, uncompressed or with Content-Encoding gzip, deflate or br.",
              cause: error,
            }),
          );
        }
        return next(
          new HttpProblem({
            status: 400,
            code: "BAD_REQUEST",
            detail: "The request body could not be read.",
          }),
        );
      }
      if (Buffer.isBuffer(req.body)) req.rawBody = req.body;
      next();
    });
  };

  return (router) => {
    router.post("/webhooks/merchant", readRaw, handle("merchant"));
    router.post("/webhooks/internal", readRaw, handle("internal"));
  };
}

const INVALID = Symbol("invalid JSON");

/** The JSON body: the parser's result when it parsed one, else the raw bytes parsed here. */
function parseBody(req: Request, raw: Buffer): unknown {
  try {
    // Reading req.body throws the parser's deferred MALFORMED_JSON problem for unparseable JSON.
    const parsed: unknown = req.body;
    if (parsed !== undefined && !Buffer.isBuffer(parsed)) return parsed;
  } catch {
    return INVALID;
  }
  try {
    // Fatal decoding: Buffer#toString would turn bytes that are not UTF-8 into U+FFFD and publish them.
    return JSON.parse(UTF8.decode(raw));
  } catch {
    return INVALID;
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
