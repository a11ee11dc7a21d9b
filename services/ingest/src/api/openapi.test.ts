import { createKeyring } from "@invoice/crypto";
import { createLogger, createMetrics } from "@invoice/observability";
import { Validator } from "@seriousme/openapi-schema-validator";
import express from "express";
import { describe, expect, it } from "vitest";
import type { IssuancePublisher } from "../publishing/issuance-publisher.ts";
import type { ReplayCache } from "../webhooks/replay-cache.ts";
import { webhookRoutes } from "../webhooks/webhook-routes.ts";
import { type MerchantApiOptions, merchantApiRoutes, merchantApiSpecs } from "./merchant-api.ts";
import { createOpenApiDocument, openApiPath } from "./openapi.ts";

// Route registration touches none of these; they only have to exist.
const unused = {} as never;
const options: MerchantApiOptions = {
  verifier: unused,
  prisma: unused,
  ids: unused,
  keyring: createKeyring(
    Buffer.from("8f3a5c7e9b1d2f4a6c8e0b2d4f6a8c0e1f3b5d7a9c2e4f6b8d0a1c3e5f7b9d2a", "hex"),
  ),
  publisher: unused as IssuancePublisher,
  settings: {
    idempotencyTtlSeconds: 60,
    retryAfterSeconds: 1,
    outbound: { allowPrivateTargets: false, secretGraceSeconds: 60 },
  },
  logger: createLogger({ service: "t", destination: { write: () => undefined } }),
};

/** Every route the service mounts under /v1/api, as express has it. */
function mountedRoutes(): Array<{ method: string; path: string }> {
  const router = express.Router();
  merchantApiRoutes(options)(router);
  webhookRoutes({
    secrets: { merchant: [], internal: [] },
    toleranceSeconds: 300,
    bodyLimitBytes: 1024,
    retryAfterSeconds: 1,
    replay: unused as ReplayCache,
    publisher: unused as IssuancePublisher,
    logger: options.logger,
    metrics: createMetrics({ service: "t", defaultMetrics: false }),
  })(router);
  return router.stack.flatMap((layer) => {
    const route = (layer as { route?: { path: string; methods: Record<string, boolean> } }).route;
    return route ? Object.keys(route.methods).map((method) => ({ method, path: route.path })) : [];
  });
}

describe("OpenAPI document", () => {
  const document = createOpenApiDocument(merchantApiSpecs(options));

  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(document)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("has every mounted route, and nothing that is not mounted", () => {
    const mounted = mountedRoutes().map(({ method, path }) => `${method} ${openApiPath(path)}`);
    const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method} ${path}`),
    );
    expect(mounted.length).toBeGreaterThan(12);
    expect(documented.sort()).toEqual([...new Set(mounted)].sort());
  });

  it("documents the permission, the bearer scheme and the Idempotency-Key of write routes", () => {
    const replay = document.paths?.["/v1/api/merchants/{merchantId}/invoices/{invoiceId}/replay"]?.post;
    expect(replay?.description).toContain("invoices:replay");
    expect(replay?.security).toEqual([{ bearer: [] }]);
    expect(JSON.stringify(replay?.parameters)).toContain("idempotency-key");
    expect(document.components?.securitySchemes?.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });
});
