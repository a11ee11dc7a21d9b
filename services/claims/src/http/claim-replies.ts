/**
 * How the claim routes answer: a page for browsers (form posts, `Accept: text/html`), JSON and
 * problem+json (RFC 9457) for everything else. Problems are written here rather than by the shared
 * error handler so that `instance` names the route with the token masked: problem bodies end up in
 * clients' logs, and a token there is a live claim link.
 */
import { HttpProblem, PROBLEM_CONTENT_TYPE } from "@invoice/http";
import type { Request, Response } from "express";
import { maskClaimTokens } from "../core/claim-token.ts";
import { type Locale, negotiateLocale } from "../core/locale.ts";
import { t } from "../core/messages.ts";
import {
  type MessageKind,
  messageTitle,
  type OrderSummary,
  type PageContext,
  renderMessage,
} from "../page/claim-page.ts";
import type { Html } from "../page/html.ts";

export type ReplyFormat = "html" | "json";

/** Browsers get pages: form posts, and GETs that prefer HTML over JSON (JSON when they tie or say nothing). */
export function replyFormat(req: Request): ReplyFormat {
  if (req.method === "POST") return req.is("application/x-www-form-urlencoded") ? "html" : "json";
  return req.accepts(["json", "html"]) === "html" ? "html" : "json";
}

export function requestLocale(req: Request): Locale {
  const fromBody = (req.body as { lang?: unknown } | undefined)?.lang;
  return negotiateLocale(req.query.lang ?? fromBody, req.headers["accept-language"]);
}

/** Headers of every answer about a claim: never cached or indexed, and the link never leaks as a Referer. */
export function privateHeaders(res: Response): void {
  res.setHeader("cache-control", "no-store");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("x-robots-tag", "noindex, nofollow");
}

/**
 * The page's Content-Security-Policy: only our own script, style sheet and fetches; no framing
 * (clickjacking a submit button), forms post only back to us.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function sendPage(res: Response, status: number, page: Html): void {
  privateHeaders(res);
  res.setHeader("content-security-policy", CSP);
  res.setHeader("x-frame-options", "DENY");
  res.status(status).type("text/html; charset=utf-8").send(page.text);
}

export function sendClaimProblem(req: Request, res: Response, problem: HttpProblem): void {
  res.locals.problemCode = problem.code;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  const instance = maskClaimTokens(req.originalUrl.split("?")[0]);
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toProblemDetails({ instance, requestId: req.requestId })));
}

export interface Refusal {
  status: number;
  code: string;
  page: MessageKind;
  order?: OrderSummary;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
  /** Placeholders of the page's text ({seconds}, {deadline}). */
  values?: Record<string, string>;
}

/** A refusal as a page or a problem; the problem's `detail` in the negotiated language. */
export function refuse(req: Request, res: Response, ctx: PageContext, refusal: Refusal): void {
  res.locals.problemCode = refusal.code;
  if (replyFormat(req) === "html") {
    for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
    sendPage(res, refusal.status, renderMessage(ctx, refusal.page, refusal.order, refusal.values));
    return;
  }
  privateHeaders(res);
  sendClaimProblem(
    req,
    res,
    new HttpProblem({
      status: refusal.status,
      code: refusal.code,
      detail: t(messageTitle(refusal.page), ctx.locale),
      ...(refusal.headers ? { headers: refusal.headers } : {}),
      ...(refusal.extensions ? { extensions: refusal.extensions } : {}),
    }),
  );
}
