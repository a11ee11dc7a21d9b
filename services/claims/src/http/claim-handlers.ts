/**
 * GET and POST of one claim, after claims-router.ts has rate-limited the request and found the claim.
 *
 * A submission is accepted by one conditional UPDATE (OPEN and before the deadline -> SUBMITTED, with
 * the normalised buyer); once that commits the buyer's details cannot be lost: the event is published
 * at once, and if Kafka is slow or down the outbox relay publishes it later (ADR 0014). So 202 means
 * "recorded", and the page says what happens next.
 */
import { randomUUID } from "node:crypto";
import { claimLink } from "@invoice/config";
import { vietnamDateOf } from "@invoice/domain";
import { HttpProblem } from "@invoice/http";
import type { Request, Response } from "express";
import type { StoredSubmission } from "../core/claim-events.ts";
import { readClaimForm, validateClaimForm } from "../core/claim-form.ts";
import {
  type ClaimView,
  SUBMISSION_REFUSALS,
  type SubmissionOutcome,
  viewClaim,
} from "../core/claim-view.ts";
import { FIELD_ERRORS, t } from "../core/messages.ts";
import type { ClaimRecord } from "../data/claim-repository.ts";
import { type MessageKind, type OrderSummary, renderClaimForm, renderMessage } from "../page/claim-page.ts";
import {
  privateHeaders,
  type Refusal,
  refuse,
  replyFormat,
  sendClaimProblem,
  sendPage,
} from "./claim-replies.ts";
import type { ClaimsApiOptions, ResolvedClaim } from "./claims-router.ts";

const orderOf = (claim: ClaimRecord): OrderSummary => claim;

/**
 * The page of a submitted claim: what became of the submission. A second post (a stale tab, a double
 * tap) gets it too, with its 409: "received, the invoice will be made out with your details" would be
 * untrue once the invoice is issued, or once the order was decided on other details.
 */
const submittedPage = (outcome: SubmissionOutcome): MessageKind =>
  outcome === "pending" ? "submitted" : outcome;

/** Why a claim takes no submission (undefined while it is open); on GET only expired and closed refuse. */
function submissionRefusal(view: ClaimView, claim: ClaimRecord): Refusal | undefined {
  if (view.phase === "open") return undefined;
  const { status, code } = SUBMISSION_REFUSALS[view.phase];
  return {
    status,
    code,
    page: view.phase === "submitted" ? submittedPage(view.outcome) : view.phase,
    order: orderOf(claim),
    ...(view.phase === "submitted"
      ? {}
      : { extensions: { deadline: new Date(claim.claimDeadline).toISOString() } }),
  };
}

function claimJson(options: ClaimsApiOptions, req: Request, found: ResolvedClaim, view: ClaimView) {
  const { claim, token } = found;
  const link = claimLink(options.settings.linkBaseUrl, token);
  return {
    status: view.phase,
    merchant: { name: claim.merchantName },
    order: {
      amountVnd: Number(claim.orderAmountVnd),
      paidAt: new Date(claim.orderPaidAt).toISOString(),
      orderDate: vietnamDateOf(claim.orderPaidAt),
    },
    deadline: new Date(claim.claimDeadline).toISOString(),
    ...(view.phase === "submitted"
      ? { submission: { submittedAt: new Date(claim.submittedAt ?? 0).toISOString(), outcome: view.outcome } }
      : {}),
    links: {
      claim: link,
      qrSvg: `${req.baseUrl}/claims/${token}/qr.svg`,
      qrPng: `${req.baseUrl}/claims/${token}/qr.png`,
    },
  };
}

export async function getClaim(options: ClaimsApiOptions, req: Request, res: Response, found: ResolvedClaim) {
  const { claim, ctx } = found;
  const view = viewClaim(claim, options.now());
  if (view.phase === "expired" || view.phase === "closed") {
    return refuse(req, res, ctx, submissionRefusal(view, claim) as Refusal);
  }
  if (replyFormat(req) === "json") {
    privateHeaders(res);
    return void res.json(claimJson(options, req, found, view));
  }
  if (view.phase === "submitted") {
    return sendPage(res, 200, renderMessage(ctx, submittedPage(view.outcome), orderOf(claim)));
  }
  const values = readClaimForm({ buyerType: "company" });
  sendPage(
    res,
    200,
    renderClaimForm(ctx, orderOf(claim), { values, errors: [], units: await options.units.get() }),
  );
}

export async function postClaim(
  options: ClaimsApiOptions,
  req: Request,
  res: Response,
  found: ResolvedClaim,
) {
  const { claim, ctx, token } = found;
  const html = replyFormat(req) === "html";
  const count = (outcome: string) => options.metrics.submissions.inc({ outcome });
  // By the answer, not the page: a second submission is already_submitted whatever became of the first.
  const countRefusal = ({ code, page }: Refusal) =>
    count(code === SUBMISSION_REFUSALS.submitted.code ? "already_submitted" : page);
  const refusal = submissionRefusal(viewClaim(claim, options.now()), claim);
  if (refusal) {
    countRefusal(refusal);
    return refuse(req, res, ctx, refusal);
  }
  const units = await options.units.get();
  const values = readClaimForm(req.body);
  if (html && (req.body as { intent?: unknown }).intent === "communes") {
    // The no-script way to fill the commune list: the same form again, the chosen province's communes in it.
    return sendPage(res, 200, renderClaimForm(ctx, orderOf(claim), { values, errors: [], units }));
  }
  const result = validateClaimForm(values, units);
  if (!result.ok) {
    count("invalid");
    req.log.info(
      { fields: result.errors.map((e) => `${e.field}:${e.code}`) },
      "claim submission refused: invalid fields",
    );
    if (html)
      return sendPage(
        res,
        400,
        renderClaimForm(ctx, orderOf(claim), { values, errors: result.errors, units }),
      );
    privateHeaders(res);
    return sendClaimProblem(
      req,
      res,
      new HttpProblem({
        status: 400,
        code: "CLAIM_INVALID_FIELDS",
        detail: t("invalidFields", ctx.locale),
        extensions: {
          errors: result.errors.map((error) => ({
            field: error.field,
            code: error.code,
            message: FIELD_ERRORS[error.code],
          })),
        },
      }),
    );
  }

  const now = new Date(options.now());
  const submission: StoredSubmission = { buyer: result.buyer, locale: ctx.locale, requestId: req.requestId };
  const owed = await options.repository.submit({
    id: claim.id,
    submissionId: options.newSubmissionId?.() ?? randomUUID(),
    submission,
    now,
    leaseUntil: options.outbox.leaseUntil(),
  });
  if (owed?.status !== "SUBMITTED") {
    // Lost the row to the expiry worker (the deadline passed meanwhile) or to a concurrent submission.
    const current = (await options.repository.findByToken(token)) ?? claim;
    const lost =
      submissionRefusal(viewClaim(current, options.now()), current) ??
      (submissionRefusal({ phase: "expired" }, current) as Refusal);
    countRefusal(lost);
    return refuse(req, res, ctx, lost);
  }
  count("accepted");
  const published = await options.outbox.deliver(owed, {
    path: "direct",
    timeoutMs: options.settings.publishTimeoutMs,
  });
  req.log.info(
    { claimId: String(claim.id), orderId: claim.orderId, merchantId: claim.merchantId, published },
    "claim submission accepted",
  );
  if (html) {
    res.setHeader("location", `${req.baseUrl}${req.path}?lang=${ctx.locale}`);
    privateHeaders(res);
    return void res.status(303).end();
  }
  privateHeaders(res);
  res.status(202).json({
    status: "submitted",
    submissionId: owed.submissionId,
    submittedAt: owed.submittedAt.toISOString(),
    buyer: result.buyer,
    links: { claim: claimLink(options.settings.linkBaseUrl, token) },
  });
}
