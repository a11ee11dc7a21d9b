/**
 * The claims API and page, mounted on the platform router (`/v1/api`):
 *
 *   GET  /claims/{token}              page (browsers) or JSON
 *   POST /claims/{token}              form post (page) or JSON submission
 *   GET  /claims/{token}/qr.svg|.png  QR code of the claim link
 *   GET  /administrative-units/provinces, /administrative-units/{province}/communes
 *   GET  /claim-assets/{name}         the page's script and style sheet
 *
 * The answer-code table is in services/claims/README.md. Every token route takes the same path to
 * its 404 whether the token is malformed or unknown (one lookup each), so neither the body nor the
 * timing tells them apart.
 */
import { randomUUID } from "node:crypto";
import { claimLink } from "@invoice/config";
import { classifyDatabaseError, isRetriable } from "@invoice/errors";
import { HttpProblem } from "@invoice/http";
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from "express";
import { parseClaimToken, tokenKey } from "../core/claim-token.ts";
import { safeError } from "../core/safe-error.ts";
import type { AdministrativeUnitsLoader } from "../data/administrative-units.ts";
import type { ClaimRecord, ClaimRepository } from "../data/claim-repository.ts";
import type { ClaimsMetrics } from "../metrics.ts";
import type { PageContext } from "../page/claim-page.ts";
import type { PageAssets } from "../page/page-assets.ts";
import type { ClaimOutbox } from "../publish/claim-outbox.ts";
import { getClaim, postClaim } from "./claim-handlers.ts";
import { privateHeaders, refuse, replyFormat, requestLocale, sendClaimProblem } from "./claim-replies.ts";
import { clientAddress } from "./client-address.ts";
import { qrPng, qrSvg } from "./qr-code.ts";
import type { ClaimRateLimits, LimitVerdict } from "./rate-limits.ts";

export interface ClaimsApiOptions {
  repository: ClaimRepository;
  units: AdministrativeUnitsLoader;
  outbox: ClaimOutbox;
  rateLimits: ClaimRateLimits;
  assets: PageAssets;
  metrics: ClaimsMetrics;
  /** Epoch milliseconds. */
  now: () => number;
  /** Submission ids (random UUIDs in production). */
  newSubmissionId?: () => string;
  settings: {
    linkBaseUrl: string;
    trustedProxyHops: number;
    /** Largest form post accepted (HTTP_BODY_LIMIT_BYTES). */
    bodyLimitBytes: number;
    /** How long a submission waits for Kafka before answering 202 anyway (the outbox has it). */
    publishTimeoutMs: number;
  };
}

/** What a token route knows once the token checked out. */
export interface ResolvedClaim {
  token: string;
  key: string;
  claim: ClaimRecord;
  ctx: PageContext;
}

/**
 * The page's form posts. The parser's own failures become problems here, where they arise (too large:
 * 413, unreadable: 400), so the error handler never has to guess an error's origin from its shape.
 */
function formParser(limitBytes: number): RequestHandler {
  const parse = express.urlencoded({ extended: false, limit: limitBytes, parameterLimit: 32 });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      const tooLarge = (error as { type?: unknown }).type === "entity.too.large";
      next(
        new HttpProblem({
          status: tooLarge ? 413 : 400,
          code: tooLarge ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST",
          detail: tooLarge
            ? `The form exceeds the limit of ${limitBytes} bytes.`
            : "The form could not be read.",
          cause: error,
        }),
      );
    });
}

export function createClaimsRouter(options: ClaimsApiOptions): Router {
  const { repository, units, rateLimits, assets, metrics, settings } = options;
  const router = express.Router();
  // Looked up in place of a malformed token: the same query, the same (empty) answer, the same time.
  const decoy = randomUUID();

  const pageContext = (req: Request): PageContext => ({
    locale: requestLocale(req),
    assets: {
      css: `${req.baseUrl}/claim-assets/${assets.names.css}`,
      js: `${req.baseUrl}/claim-assets/${assets.names.js}`,
    },
    communesUrl: `${req.baseUrl}/administrative-units/{province}/communes`,
  });

  const rateLimited = (
    req: Request,
    res: Response,
    ctx: PageContext,
    verdict: LimitVerdict & { ok: false },
  ) => {
    metrics.rateLimited.inc({ limit: verdict.limit });
    req.log.info(
      { limit: verdict.limit, retryAfterSeconds: verdict.retryAfterSeconds },
      "claim request rate limited",
    );
    refuse(req, res, ctx, {
      status: 429,
      code: "RATE_LIMITED",
      page: "rateLimited",
      headers: { "retry-after": String(verdict.retryAfterSeconds) },
      values: { seconds: String(verdict.retryAfterSeconds) },
    });
  };

  const address = (req: Request) =>
    clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], settings.trustedProxyHops);

  /** Rate limits, then the lookup; answers 429 or 404 itself and returns undefined then. */
  async function resolve(req: Request, res: Response, { submission }: { submission: boolean }) {
    const ctx = pageContext(req);
    const from = address(req);
    for (const check of [() => rateLimits.address(from), () => rateLimits.notFoundBudget(from)]) {
      const verdict = await check();
      if (!verdict.ok) return void rateLimited(req, res, ctx, verdict);
    }
    const raw = String(req.params.token ?? "");
    const token = parseClaimToken(raw);
    const key = tokenKey(token ?? raw);
    const tokenVerdict = await rateLimits.token(key);
    if (!tokenVerdict.ok) return void rateLimited(req, res, ctx, tokenVerdict);
    if (submission) {
      const verdict = await rateLimits.submission(key);
      if (!verdict.ok) return void rateLimited(req, res, ctx, verdict);
    }
    const claim = await repository.findByToken(token ?? decoy);
    if (!token || !claim) {
      metrics.unknownTokens.inc();
      await rateLimits.recordNotFound(from);
      return void refuse(req, res, ctx, { status: 404, code: "CLAIM_NOT_FOUND", page: "notFound" });
    }
    return { token, key, claim, ctx } satisfies ResolvedClaim;
  }

  router.get("/claim-assets/:name", (req, res, next) => {
    const asset = assets.get(String(req.params.name));
    if (!asset) return next();
    res.setHeader("cache-control", "public, max-age=31536000, immutable");
    res.type(asset.contentType).send(asset.body);
  });

  router.get("/administrative-units/provinces", async (req, res) => {
    const verdict = await rateLimits.address(address(req));
    if (!verdict.ok) return rateLimited(req, res, pageContext(req), verdict);
    res.setHeader("cache-control", "public, max-age=86400");
    res.json({ provinces: (await units.get()).provinces() });
  });

  router.get("/administrative-units/:province/communes", async (req, res) => {
    const verdict = await rateLimits.address(address(req));
    if (!verdict.ok) return rateLimited(req, res, pageContext(req), verdict);
    const catalog = await units.get();
    const province = catalog.province(String(req.params.province));
    if (!province) {
      throw new HttpProblem({
        status: 404,
        code: "PROVINCE_NOT_FOUND",
        detail: "No province with this code.",
      });
    }
    res.setHeader("cache-control", "public, max-age=86400");
    res.json({ province, communes: catalog.communesOf(province.code) });
  });

  for (const [extension, render, type] of [
    ["svg", qrSvg, "image/svg+xml"],
    ["png", qrPng, "image/png"],
  ] as const) {
    router.get(`/claims/:token/qr.${extension}`, async (req, res) => {
      const found = await resolve(req, res, { submission: false });
      if (!found) return;
      const image = await render(claimLink(settings.linkBaseUrl, found.token));
      privateHeaders(res);
      res.type(type).send(image);
    });
  }

  router.get("/claims/:token", async (req, res) => {
    const found = await resolve(req, res, { submission: false });
    if (found) await getClaim(options, req, res, found);
  });

  const formBody = formParser(settings.bodyLimitBytes);
  router.post("/claims/:token", formBody, async (req, res) => {
    if (!req.is(["application/json", "application/*+json", "application/x-www-form-urlencoded"])) {
      throw new HttpProblem({
        status: 415,
        code: "UNSUPPORTED_MEDIA_TYPE",
        detail: "Send application/json or an HTML form (application/x-www-form-urlencoded).",
      });
    }
    // Asking for a province's communes (the no-script round trip) is not a submission attempt.
    const submission = (req.body as { intent?: unknown } | undefined)?.intent !== "communes";
    const found = await resolve(req, res, { submission });
    if (found) await postClaim(options, req, res, found);
  });

  // Anything else under /claims/ gets this router's 404, so the shared one never echoes a token.
  router.use("/claims", (req, res) => {
    refuse(req, res, pageContext(req), { status: 404, code: "CLAIM_NOT_FOUND", page: "notFound" });
  });

  router.use(async (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpProblem) return sendClaimProblem(req, res, error);
    if (error instanceof URIError && req.path.startsWith("/claims/")) {
      // A token that is not even valid percent-encoding is a malformed token: the same limits, the
      // same lookup, the same 404, counted against the same budget.
      const verdict = await rateLimits.address(address(req));
      if (!verdict.ok) return rateLimited(req, res, pageContext(req), verdict);
      await repository.findByToken(decoy);
      metrics.unknownTokens.inc();
      await rateLimits.recordNotFound(address(req));
      return refuse(req, res, pageContext(req), { status: 404, code: "CLAIM_NOT_FOUND", page: "notFound" });
    }
    const classified = classifyDatabaseError(error);
    if (isRetriable(classified)) {
      req.log.warn(
        { err: safeError(error), code: classified.code },
        "claim request failed: dependency unavailable",
      );
      return refuse(req, res, pageContext(req), {
        status: 503,
        code: "SERVICE_UNAVAILABLE",
        page: "unavailable",
        headers: { "retry-after": "5" },
      });
    }
    req.log.error({ err: safeError(error) }, "claim request failed");
    if (replyFormat(req) === "html") {
      return refuse(req, res, pageContext(req), { status: 500, code: "INTERNAL_ERROR", page: "unavailable" });
    }
    sendClaimProblem(req, res, new HttpProblem({ status: 500, code: "INTERNAL_ERROR" }));
  });

  return router;
}
