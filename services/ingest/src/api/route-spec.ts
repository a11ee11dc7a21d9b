/**
 * One declaration per merchant API route: method, path, permission, zod schemas of its parameters,
 * body and answers, and its handler. The same declaration registers the express route (authentication,
 * permission gate, validation, merchant scope, Idempotency-Key) and generates its OpenAPI 3.1 entry
 * (openapi.ts), so the document cannot drift from what the code accepts.
 */
import { HttpProblem } from "@invoice/http";
import type { Logger } from "@invoice/observability";
import type { Request, Response, Router } from "express";
import type { z } from "zod";
import { fieldErrors } from "../shared/input-schemas.ts";
import { authenticate, type JwtVerifier, type Principal, requirePermission } from "./jwt-auth.ts";
import { type MerchantScope, merchantScope } from "./merchant-scope.ts";

export interface RouteContext<P, Q, B> {
  principal: Principal;
  /** The path's merchant, scoped: queries made with it match nothing unless the token holds it. */
  scope: MerchantScope;
  params: P;
  query: Q;
  body: B;
  req: Request;
  log: Logger;
}

export interface RouteAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  /** OpenAPI operationId. */
  id: string;
  method: "get" | "post" | "put";
  /** Express path under /v1/api, always starting /merchants/:merchantId. */
  path: string;
  summary: string;
  permission: string;
  params: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Write routes: take an Idempotency-Key header. */
  idempotent?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handle(context: RouteContext<P, Q, B>): Promise<RouteAnswer>;
}

/** Keeps each route's type parameters while collecting them in one list. */
export const route = <P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec => spec as unknown as RouteSpec;

export type IdempotencyRunner = (
  context: { scope: MerchantScope; key: string; method: string; route: string; body: unknown },
  run: () => Promise<RouteAnswer>,
) => Promise<RouteAnswer & { replayed?: boolean }>;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error, [where]);
  throw new HttpProblem({
    status: 400,
    code: "SCHEMA_VIOLATION",
    detail: `The request does not match its schema: ${errors.map((e) => e.path).join(", ")}.`,
    extensions: { errors },
  });
}

export function registerRoutes(
  router: Router,
  specs: readonly RouteSpec[],
  deps: { verifier: JwtVerifier; idempotency: IdempotencyRunner },
): void {
  const auth = authenticate(deps.verifier);
  for (const spec of specs) {
    router[spec.method](spec.path, auth, async (req: Request, res: Response) => {
      const principal = requirePermission(req.principal, spec.permission);
      const params = parse(spec.params, req.params, "path");
      const query = parse(spec.query, req.query, "query");
      const body = spec.body ? parse(spec.body, req.body ?? {}, "body") : undefined;
      const scope = merchantScope(principal, String(req.params.merchantId ?? ""));
      const context = { principal, scope, params, query, body, req, log: req.log };
      const key = req.headers["idempotency-key"];
      let answer: RouteAnswer & { replayed?: boolean };
      if (spec.idempotent && key !== undefined) {
        if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key)) {
          throw new HttpProblem({
            status: 400,
            code: "IDEMPOTENCY_KEY_INVALID",
            detail: "Idempotency-Key must be 1-255 visible ASCII characters.",
          });
        }
        // Not authorised for the merchant: answered inside the handler (404), never recorded.
        answer = scope.authorised
          ? await deps.idempotency(
              { scope, key, method: spec.method.toUpperCase(), route: spec.path, body: req.body ?? null },
              () => spec.handle(context),
            )
          : await spec.handle(context);
      } else {
        answer = await spec.handle(context);
      }
      for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      if (answer.replayed) res.setHeader("idempotent-replayed", "true");
      res.status(answer.status).json(answer.body);
    });
  }
}
