/**
 * The OpenAPI 3.1 document of ingest's HTTP API, generated from the route declarations (route-spec.ts)
 * and the webhook contract with zod-openapi: the schemas in it are the zod schemas the routes validate
 * with. Served at GET /v1/api/openapi.json; a test validates it and checks every route is in it.
 */
import { z } from "zod";
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from "zod-openapi";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/webhook-events.ts";
import type { RouteSpec } from "./route-spec.ts";
import { problemSchema } from "./schemas.ts";

export const API_BASE = "/v1/api";

/** `/merchants/:merchantId` → `/v1/api/merchants/{merchantId}`. */
export function openApiPath(expressPath: string): string {
  return `${API_BASE}${expressPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`;
}

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

const AUTH_RESPONSES = {
  "401": problem("Missing, malformed, expired or otherwise refused token (WWW-Authenticate says why)"),
  "403": problem("The token lacks this route's permission"),
};

function operation(spec: RouteSpec): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = { ...AUTH_RESPONSES };
  for (const [status, answer] of Object.entries(spec.responses)) {
    const ok = Number(status) < 400;
    responses[status] = answer.schema
      ? {
          description: answer.description,
          content: { [ok ? "application/json" : "application/problem+json"]: { schema: answer.schema } },
        }
      : { description: answer.description };
  }
  if (spec.body)
    responses["400"] ??= problem("The request does not match its schema (errors[] names the fields)");
  if (spec.idempotent) responses["422"] ??= problem("Idempotency-Key reused for a different request");
  return {
    operationId: spec.id,
    summary: spec.summary,
    description: `Permission: \`${spec.permission}\`.`,
    security: [{ bearer: [] }],
    requestParams: {
      path: spec.params as z.ZodObject,
      ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
      ...(spec.idempotent
        ? {
            header: z.object({
              "idempotency-key": z.string().max(255).optional().meta({
                description: "Same key + same body → the same answer; same key + another body → 422",
              }),
            }),
          }
        : {}),
    },
    ...(spec.body ? { requestBody: { content: { "application/json": { schema: spec.body } } } } : {}),
    responses: responses as ZodOpenApiOperationObject["responses"],
  };
}

const webhookBody = z
  .object({
    eventId: z.string().max(64).meta({ description: "The sender's id of this event; retries reuse it" }),
    type: z
      .string()
      .meta({ description: "payment.succeeded, invoice.requested, payment.refunded, provider.callback" }),
    occurredAt: z.string().meta({ description: "RFC 3339 date-time with an offset" }),
    merchantId: z.string().max(64),
    orderId: z.string().max(64),
    data: z.record(z.string(), z.unknown()).meta({ description: "Per type; see services/ingest/README.md" }),
  })
  .meta({ id: "WebhookEvent" });

function webhookOperation(route: "merchant" | "internal"): ZodOpenApiOperationObject {
  return {
    operationId: `${route}Webhook`,
    summary: `${route === "merchant" ? "Merchant" : "Internal (iiapi/commerce)"} webhook → invoice.issuance`,
    description: `Accepted types: ${WEBHOOK_EVENT_TYPES[route].join(", ")}. Signed with the ${route} secret.`,
    requestParams: {
      header: z.object({
        "x-signature": z
          .string()
          .meta({ description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>' }),
      }),
    },
    requestBody: { content: { "application/json": { schema: webhookBody } } },
    responses: {
      "202": {
        description: "Stored in Kafka (acks=all); duplicate: an exact replay of an accepted delivery",
        content: {
          "application/json": {
            schema: z.object({ eventId: z.string(), status: z.literal("accepted"), duplicate: z.boolean() }),
          },
        },
      },
      "400": problem("Malformed JSON, or the event does not match its schema (errors[] names the fields)"),
      "401": problem("Missing or invalid signature, or a stale timestamp"),
      "409": problem("The same signed delivery is being processed"),
      "413": problem("Body larger than the limit"),
      "422": problem("Unknown event type for this route"),
      "503": problem("Kafka unreachable: nothing accepted; retry after Retry-After"),
    },
  };
}

export function createOpenApiDocument(specs: readonly RouteSpec[], version = "1.0.0") {
  const paths: ZodOpenApiPathsObject = {
    [`${API_BASE}/webhooks/merchant`]: { post: webhookOperation("merchant") },
    [`${API_BASE}/webhooks/internal`]: { post: webhookOperation("internal") },
    [`${API_BASE}/openapi.json`]: {
      get: {
        operationId: "openApi",
        summary: "This document",
        responses: { "200": { description: "OpenAPI 3.1" } },
      },
    },
  };
  for (const spec of specs) {
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method]: operation(spec) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Invoice platform — ingest",
      version,
      description: "Merchant REST API (JWT, ES256) and the signed webhooks into invoice.issuance.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT (ES256)" } },
    },
    paths,
  });
}
