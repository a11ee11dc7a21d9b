import { z } from "zod";

/**
 * How long the simulator takes to answer an API call (before it numbers the invoice), in ms.
 * - fixed: always `ms`;
 * - uniform: between `minMs` and `maxMs`;
 * - lognormal: `medianMs * exp(sigma * N(0,1))`, capped at `maxMs` — the long right tail real providers
 *   show (HSM signing, tax-authority round trips). sigma 0.5 puts p99 at about 3.2 x the median.
 */
const latencySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fixed"), ms: z.number().min(0).max(600_000) }).strict(),
  z
    .object({
      kind: z.literal("uniform"),
      minMs: z.number().min(0).max(600_000),
      maxMs: z.number().min(0).max(600_000),
    })
    .strict()
    .refine((v) => v.minMs <= v.maxMs, { message: "minMs must not exceed maxMs" }),
  z
    .object({
      kind: z.literal("lognormal"),
      medianMs: z.number().min(0).max(600_000),
      sigma: z.number().min(0).max(5),
      maxMs: z.number().min(0).max(600_000).default(60_000),
    })
    .strict(),
]);

const rate = z.number().min(0).max(1);

/**
 * Injected faults. A fault is decided per createInvoice request after the dedupe check; `createRate` is
 * the share of faulted requests for which the invoice is created all the same (a provider that numbers
 * the invoice and then fails to answer: the client sees an error or a timeout, the invoice exists).
 */
const errorsSchema = z
  .object({
    /** Share of createInvoice requests answered with `status` instead of an invoice. */
    rate: rate.default(0),
    /** 500 (SInvoice's generic failure), 502, 503, 504 or 429 (with Retry-After). */
    status: z
      .union([z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal(429)])
      .default(500),
    createRate: rate.default(0),
    /** Retry-After (seconds) sent with 429 and 503. */
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
  })
  .strict();

const timeoutsSchema = z
  .object({
    /** Share of createInvoice requests held for `holdMs` (past the client's timeout). */
    rate: rate.default(0),
    holdMs: z.number().int().min(0).max(600_000).default(30_000),
    /** Share of held requests that create the invoice when the hold ends. */
    createRate: rate.default(0),
  })
  .strict();

/**
 * Asynchronous numbering (SInvoice spec 7.2 note 5): createInvoice answers with an empty `invoiceNo`,
 * the number becomes visible through searchInvoiceByTransactionUuid after `delayMs`, and — our own
 * extension, SInvoice has no such push — is POSTed to `callbackUrl` when one is set.
 */
const asyncSchema = z
  .object({
    /** Share of created invoices numbered asynchronously (1 = all). */
    rate: rate.default(0),
    delayMs: z.number().int().min(0).max(600_000).default(1_000),
    callbackUrl: z.string().url().optional(),
  })
  .strict();

export const simulatorConfigSchema = z
  .object({
    latency: latencySchema.default({ kind: "fixed", ms: 0 }),
    /** Lifetime of an access token from /auth/login (the spec's `expires_in`). */
    tokenTtlSeconds: z.number().int().min(1).max(86_400).default(300),
    /**
     * How an expired or unknown token is refused: "401" `{"error":"invalid_token",...}` (the OAuth
     * answer the spec shows), or "500-general" (HTTP 500 `"message":"GENERAL"`, which the spec's error
     * table lists as "token expired").
     */
    expiredTokenStyle: z.enum(["401", "500-general"]).default("401"),
    /** username -> password accepted by /auth/login; empty = any non-empty pair is accepted. */
    users: z.record(z.string().min(1), z.string().min(1)).default({}),
    /**
     * Registered series per seller tax code, as "templateCode|invoiceSeries" (e.g. "1/001|C26TAA");
     * a seller listed here gets INVOICE_SERIAL_NOT_FOUND for any other. Sellers not listed accept any.
     */
    series: z.record(z.string().min(1), z.array(z.string().min(3))).default({}),
    /** SInvoice refuses an invoice dated after "now" (spec 7.2, cases TH2-TH4). */
    refuseFutureDates: z.boolean().default(true),
    errors: errorsSchema.default({ rate: 0, status: 500, createRate: 0, retryAfterSeconds: 1 }),
    timeouts: timeoutsSchema.default({ rate: 0, holdMs: 30_000, createRate: 0 }),
    async: asyncSchema.default({ rate: 0, delayMs: 1_000 }),
    /** Seed for the fault/latency dice; unset = Math.random. Makes a chaos run repeatable. */
    seed: z.number().int().optional(),
  })
  .strict();

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;
export type LatencyConfig = SimulatorConfig["latency"];

export const outageSchema = z
  .object({
    durationMs: z
      .number()
      .int()
      .min(1)
      .max(24 * 3_600_000),
    /**
     * - "503": every API call answers 503 at once (nothing created);
     * - "reset": the connection is destroyed when a request arrives (the client cannot tell whether
     *   the request was processed);
     * - "hang": requests are held until the outage ends, then dropped (nothing created).
     */
    mode: z.enum(["503", "reset", "hang"]).default("503"),
  })
  .strict();

export type OutageInput = z.input<typeof outageSchema>;

export class SimulatorConfigError extends Error {
  override readonly name = "SimulatorConfigError";
  constructor(readonly issues: string[]) {
    super(`invalid simulator configuration: ${issues.join("; ")}`);
  }
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
}

/** Parses a full configuration (missing fields get their defaults). */
export function parseConfig(input: unknown): SimulatorConfig {
  const result = simulatorConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new SimulatorConfigError(issuesOf(result.error));
  return result.data;
}

/**
 * Merges a partial change into the current configuration one level deep (so `{ "errors": { "rate": 0.1 } }`
 * keeps the other error settings) and validates the result.
 */
export function mergeConfig(current: SimulatorConfig, patch: unknown): SimulatorConfig {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new SimulatorConfigError(["(root): expected a JSON object"]);
  }
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const before = merged[key];
    const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
    // A latency change replaces the whole distribution (its kind decides the fields).
    merged[key] =
      key !== "latency" && isObject(before) && isObject(value) ? { ...(before as object), ...value } : value;
  }
  return parseConfig(merged);
}

export function parseOutage(input: unknown) {
  const result = outageSchema.safeParse(input ?? {});
  if (!result.success) throw new SimulatorConfigError(issuesOf(result.error));
  return result.data;
}
