import type { Keyring } from "@invoice/crypto";
import { HttpProblem } from "@invoice/http";
import type { IdGenerator } from "@invoice/ids";
import { z } from "zod";
import { checkTarget, TargetRefusedError } from "../outbound/safe-target.ts";
import {
  createEndpoint,
  type DeliveryRow,
  DuplicateEndpointError,
  disableEndpoint,
  type EndpointRow,
  findEndpoint,
  listDeliveries,
  listEndpoints,
  rotateSecret,
} from "../outbound/webhook-repository.ts";
import { assertWritable, notFound } from "./merchant-scope.ts";
import { type RouteSpec, route } from "./route-spec.ts";
import { decodeCursor, encodeCursor, merchantPath, problemSchema } from "./schemas.ts";

export const WEBHOOK_PERMISSIONS = { read: "webhooks:read", write: "webhooks:write" } as const;

/** Names of the outcomes delivered (invoice.events types, dotted lower case); [] subscribes to all. */
const EVENT_TYPE = /^[a-z]+(\.[a-z_]+)+$/;

const endpointPath = merchantPath.extend({
  webhookId: z.string().meta({ description: "Endpoint id (decimal)" }),
});

const endpointView = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    description: z.string().nullable(),
    secretRotatedAt: z.string().nullable(),
    previousSecretExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "WebhookEndpoint" });

const withSecret = endpointView
  .extend({ secret: z.string().meta({ description: "The signing secret; shown only in this answer" }) })
  .meta({ id: "WebhookEndpointWithSecret" });

const deliveryView = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    orderId: z.string(),
    status: z.enum(["PENDING", "DELIVERED", "FAILED"]),
    attemptCount: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastHttpStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        startedAt: z.string(),
        durationMs: z.number().int(),
        httpStatus: z.number().int().nullable(),
        outcome: z.string(),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "WebhookDelivery" });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toEndpointView(row: EndpointRow): z.infer<typeof endpointView> {
  return {
    id: row.id.toString(),
    url: row.url,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    description: row.description,
    secretRotatedAt: iso(row.secretRotatedAt),
    previousSecretExpiresAt: iso(row.previousSecretExpiresAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toDeliveryView(row: DeliveryRow): z.infer<typeof deliveryView> {
  return {
    id: row.id.toString(),
    eventId: row.eventId,
    eventType: row.eventType,
    orderId: row.orderId,
    status: row.status,
    attemptCount: row.attemptCount,
    nextAttemptAt: row.status === "PENDING" ? row.nextAttemptAt.toISOString() : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    lastHttpStatus: row.lastHttpStatus,
    lastError: row.lastError,
    deliveredAt: iso(row.deliveredAt),
    createdAt: row.createdAt.toISOString(),
    attempts: row.attempts.map((a) => ({ ...a, startedAt: a.startedAt.toISOString() })),
  };
}

const idOf = (text: string) => (/^\d{1,19}$/.test(text) ? BigInt(text) : -1n);

export function webhookEndpointRoutes(deps: {
  prisma: Parameters<typeof listEndpoints>[0];
  keyring: Keyring;
  ids: IdGenerator;
  allowPrivateTargets: boolean;
  secretGraceSeconds: number;
}): RouteSpec[] {
  return [
    route({
      id: "createWebhookEndpoint",
      method: "post",
      path: "/merchants/:merchantId/webhooks",
      summary: "Register an endpoint for invoice outcomes; answers its signing secret once",
      permission: WEBHOOK_PERMISSIONS.write,
      params: merchantPath,
      body: z
        .object({
          url: z.string().max(2_000),
          eventTypes: z
            .array(z.string().regex(EVENT_TYPE, "must be like invoice.issued"))
            .max(50)
            .default([]),
          description: z.string().trim().max(200).nullish(),
        })
        .meta({ id: "WebhookEndpointCreate" }),
      idempotent: true,
      responses: {
        201: { description: "Registered", schema: withSecret },
        404: { description: "Not this token's merchant", schema: problemSchema },
        409: { description: "The URL is registered already", schema: problemSchema },
        422: { description: "The URL is not an allowed target", schema: problemSchema },
      },
      async handle({ scope, body }) {
        await listEndpoints(deps.prisma, scope);
        assertWritable(scope, "merchant");
        try {
          await checkTarget(body.url, deps.allowPrivateTargets);
        } catch (error) {
          if (!(error instanceof TargetRefusedError)) throw error;
          throw new HttpProblem({
            status: 422,
            code: "WEBHOOK_TARGET_REFUSED",
            detail: `The endpoint URL is not allowed: it ${error.message}.`,
            extensions: { reason: error.reason },
          });
        }
        try {
          const { endpoint, secret } = await createEndpoint(deps.prisma, deps, {
            merchantId: scope.merchantId,
            url: body.url,
            eventTypes: [...new Set(body.eventTypes)],
            description: body.description ?? null,
          });
          return { status: 201, body: { ...toEndpointView(endpoint), secret } };
        } catch (error) {
          if (!(error instanceof DuplicateEndpointError)) throw error;
          throw new HttpProblem({
            status: 409,
            code: error.code,
            detail: "An active endpoint with this URL exists.",
          });
        }
      },
    }),
    route({
      id: "listWebhookEndpoints",
      method: "get",
      path: "/merchants/:merchantId/webhooks",
      summary: "The merchant's endpoints (never their secrets)",
      permission: WEBHOOK_PERMISSIONS.read,
      params: merchantPath,
      responses: { 200: { description: "Endpoints", schema: z.object({ items: z.array(endpointView) }) } },
      async handle({ scope }) {
        const rows = await listEndpoints(deps.prisma, scope);
        return { status: 200, body: { items: rows.map(toEndpointView) } };
      },
    }),
    route({
      id: "disableWebhookEndpoint",
      method: "post",
      path: "/merchants/:merchantId/webhooks/:webhookId/disable",
      summary: "Stop delivering to an endpoint (pending deliveries end as FAILED)",
      permission: WEBHOOK_PERMISSIONS.write,
      params: endpointPath,
      idempotent: true,
      responses: {
        200: { description: "Disabled", schema: endpointView },
        404: { description: "No such endpoint for this merchant", schema: problemSchema },
      },
      async handle({ scope, params }) {
        const row = await disableEndpoint(deps.prisma, scope, idOf(params.webhookId));
        if (!row) throw notFound("webhook endpoint");
        return { status: 200, body: toEndpointView(row) };
      },
    }),
    route({
      id: "rotateWebhookSecret",
      method: "post",
      path: "/merchants/:merchantId/webhooks/:webhookId/rotate-secret",
      summary: "New signing secret; the old one still signs (a second v1=) during the grace period",
      permission: WEBHOOK_PERMISSIONS.write,
      params: endpointPath,
      idempotent: true,
      responses: {
        200: { description: "Rotated", schema: withSecret },
        404: { description: "No such endpoint for this merchant", schema: problemSchema },
      },
      async handle({ scope, params }) {
        const now = new Date();
        const grace = new Date(now.getTime() + deps.secretGraceSeconds * 1000);
        const rotated = await rotateSecret(
          deps.prisma,
          deps.keyring,
          scope,
          idOf(params.webhookId),
          now,
          grace,
        );
        if (!rotated) throw notFound("webhook endpoint");
        return { status: 200, body: { ...toEndpointView(rotated.endpoint), secret: rotated.secret } };
      },
    }),
    route({
      id: "listWebhookDeliveries",
      method: "get",
      path: "/merchants/:merchantId/webhooks/:webhookId/deliveries",
      summary: "The endpoint's delivery log with every attempt, newest first",
      permission: WEBHOOK_PERMISSIONS.read,
      params: endpointPath,
      query: z.object({
        cursor: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
      }),
      responses: {
        200: {
          description: "A page of deliveries",
          schema: z.object({ items: z.array(deliveryView), nextCursor: z.string().nullable() }),
        },
        404: { description: "No such endpoint for this merchant", schema: problemSchema },
      },
      async handle({ scope, params, query }) {
        const webhookId = idOf(params.webhookId);
        const endpoint = await findEndpoint(deps.prisma, scope, webhookId);
        if (!endpoint) throw notFound("webhook endpoint");
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        const rows = await listDeliveries(deps.prisma, scope, webhookId, {
          limit: query.limit + 1,
          ...(after ? { after } : {}),
        });
        const page = rows.slice(0, query.limit);
        const last = page.at(-1);
        return {
          status: 200,
          body: {
            items: page.map(toDeliveryView),
            nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
          },
        };
      },
    }),
  ];
}
