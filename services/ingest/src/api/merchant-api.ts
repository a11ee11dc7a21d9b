/**
 * The merchant REST API under /v1/api/merchants/{merchantId}: invoices, settings, provider
 * credentials, webhook endpoints and their delivery log, plus GET /v1/api/openapi.json. Every route is
 * declared once (route-spec.ts) and registered and documented from that declaration.
 */
import type { Keyring } from "@invoice/crypto";
import type { PrismaClient } from "@invoice/db";
import type { IdGenerator } from "@invoice/ids";
import type { Logger } from "@invoice/observability";
import type { Router } from "express";
import type { IssuancePublisher } from "../publishing/issuance-publisher.ts";
import { createIdempotency } from "./idempotency.ts";
import { invoiceRoutes } from "./invoice-routes.ts";
import type { JwtVerifier } from "./jwt-auth.ts";
import { createOpenApiDocument } from "./openapi.ts";
import { type RouteSpec, registerRoutes } from "./route-spec.ts";
import { settingsRoutes } from "./settings-routes.ts";
import { webhookEndpointRoutes } from "./webhook-endpoint-routes.ts";

export interface MerchantApiOptions {
  verifier: JwtVerifier;
  prisma: PrismaClient;
  ids: IdGenerator;
  keyring: Keyring;
  publisher: IssuancePublisher;
  settings: {
    idempotencyTtlSeconds: number;
    retryAfterSeconds: number;
    outbound: { allowPrivateTargets: boolean; secretGraceSeconds: number };
  };
  logger: Logger;
}

export function merchantApiSpecs(options: Omit<MerchantApiOptions, "verifier" | "logger">): RouteSpec[] {
  const { prisma, ids, keyring, publisher, settings } = options;
  return [
    ...invoiceRoutes({ prisma, publisher, retryAfterSeconds: settings.retryAfterSeconds }),
    ...settingsRoutes({ prisma, keyring, ids }),
    ...webhookEndpointRoutes({
      prisma,
      keyring,
      ids,
      allowPrivateTargets: settings.outbound.allowPrivateTargets,
      secretGraceSeconds: settings.outbound.secretGraceSeconds,
    }),
  ];
}

export function merchantApiRoutes(options: MerchantApiOptions): (router: Router) => void {
  const specs = merchantApiSpecs(options);
  const document = createOpenApiDocument(specs);
  const idempotency = createIdempotency({
    prisma: options.prisma,
    keyring: options.keyring,
    ttlSeconds: options.settings.idempotencyTtlSeconds,
  });
  return (router) => {
    router.get("/openapi.json", (_req, res) => {
      res.json(document);
    });
    registerRoutes(router, specs, { verifier: options.verifier, idempotency });
  };
}
