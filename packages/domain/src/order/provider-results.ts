// What the machine does with a provider's answer about a key, whichever way it arrived (the
// issuer's SendResult for an attempt, or the provider's own ProviderCallback): "issued" is a fact
// about the key; a failure is only ever taken from the attempt it belongs to.
import { sameBuyer } from "../buyer.ts";
import type { InvoiceBuyer } from "../events.ts";
import { isLocalDate, type LocalDate } from "../local-date.ts";
import { settledAbsent } from "./attempts.ts";
import { abandonIfLaterBuyerAdjustment } from "./corrections.ts";
import { isNewer, refOf } from "./issuance.ts";
import { leaseMsOf } from "./policy.ts";
import { wakeUp } from "./sends.ts";
import { settle } from "./settle.ts";
import {
  activeInvoice,
  type BuyerFact,
  type Failure,
  type InvoiceRecord,
  invoiceBySeq,
  issuedStatus,
  type OrderState,
  type ProviderAttempt,
  readyForCorrections,
  replaceInvoice,
} from "./state.ts";
import type { StepBuilder } from "./step.ts";

/** What the machine needs next after a decision that changed an invoice: the state and a note. */
export interface Outcome {
  next: OrderState;
  note?: string;
}

/**
 * Số hóa đơn: 1-8 digits (XML `SHDon`); a zero-padded 8-digit form ("00000123") is the same number.
 * Anything else (a symbol prefix, letters, all zeros) is not a number the machine records.
 */
export function normalizeInvoiceNo(raw: string): string | undefined {
  if (!/^\d{1,8}$/.test(raw)) return undefined;
  const trimmed = raw.replace(/^0+/, "");
  return trimmed === "" ? undefined : trimmed;
}

export interface IssuedReport {
  /** The attempt that reports it, when the issuer does (a ProviderCallback names none). */
  attempt?: ProviderAttempt;
  invoiceNo?: string;
  series?: string;
  invoiceDate?: LocalDate;
  /** What the issuer says it sent in that attempt. */
  sent?: { buyer: InvoiceBuyer; documentHash: string };
  /** The reporting attempt found the invoice by lookup: an earlier send created it. */
  found?: boolean;
}

function withoutFailure(state: OrderState): OrderState {
  const { failure: _dropped, ...rest } = state;
  return rest;
}

/**
 * Why an "issued" result cannot simply be applied, or undefined when it can. A correction abandoned
 * for a newer one, or a replacement whose predecessor another invoice has taken over (or that is not
 * the invoice standing for the order), would make a second active invoice: the provider now holds an
 * invoice the order's history says should not exist, which only a human can sort out.
 */
function contradiction(state: OrderState, record: InvoiceRecord): string | undefined {
  if (record.status === "abandoned") {
    const why =
      record.abandonedForSeq === undefined ? "for newer buyer info" : `for invoice ${record.abandonedForSeq}`;
    return `${record.role} invoice ${record.seq} failed and was abandoned ${why}, but the provider reports it issued`;
  }
  if (record.role !== "replacement") return undefined;
  const target = record.relatesToSeq === undefined ? undefined : invoiceBySeq(state, record.relatesToSeq);
  const active = activeInvoice(state);
  const takenBy = target?.supersededBySeq;
  if (
    !target ||
    (takenBy !== undefined && takenBy !== record.seq) ||
    (active !== undefined && active.seq !== record.seq && active.seq !== target.seq)
  ) {
    return `replacement invoice ${record.seq} reported issued, but invoice ${record.relatesToSeq} is already replaced by invoice ${takenBy ?? active?.seq}`;
  }
  return undefined;
}

export function publishIssued(b: StepBuilder, invoice: InvoiceRecord & { invoiceNo: string }): void {
  b.publish("InvoiceIssued", {
    invoiceSeq: invoice.seq,
    role: invoice.role,
    transactionUuid: invoice.transactionUuid,
    invoiceNo: invoice.invoiceNo,
    invoiceDate: invoice.invoiceDate,
    buyerKind: invoice.buyer.kind,
  });
}

/** Settles what waited for an issued invoice once corrections can start; else just the status. */
function afterIssued(b: StepBuilder, state: OrderState): OrderState {
  return readyForCorrections(state) ? settle(b, state) : { ...state, status: issuedStatus(state) };
}

/** The send attempt whose document the provider holds: the reporting one, else the latest send. */
function sendThatCreated(record: InvoiceRecord, report: IssuedReport): ProviderAttempt | undefined {
  if (report.attempt?.kind === "send" && !report.found) return report.attempt;
  const before = report.attempt
    ? record.attempts.filter((a) => a.attempt < (report.attempt?.attempt ?? 0))
    : record.attempts;
  const sends = before.filter((a) => a.kind === "send");
  return sends.findLast((a) => a.status === "in-flight" || a.status === "unknown") ?? sends.at(-1);
}

/** The order's intended buyer for the original, when the provider's invoice names another one. */
function intendedChange(state: OrderState, record: InvoiceRecord, held: InvoiceBuyer): BuyerFact | undefined {
  if (record.role !== "original" || sameBuyer(held, record.buyer) || !record.basis) return undefined;
  if (record.buyer.kind === "anonymous") return undefined;
  const fact: BuyerFact = { buyer: record.buyer, ...record.basis };
  const pending = state.pendingBuyerChange;
  return pending && !isNewer(fact, pending) ? pending : fact;
}

function fillInNumber(b: StepBuilder, state: OrderState, record: InvoiceRecord, invoiceNo: string): Outcome {
  if (record.invoiceNo === invoiceNo) return { next: state, note: "already issued" };
  if (record.invoiceNo !== undefined) {
    b.human(
      "CONTRADICTORY_CALLBACK",
      `invoice ${record.seq} reported issued as ${record.invoiceNo} and ${invoiceNo}`,
    );
    return { next: state, note: "second invoice number for one key" };
  }
  const filled = { ...record, invoiceNo };
  publishIssued(b, filled);
  return { next: afterIssued(b, replaceInvoice(state, filled)), note: "invoice number filled in" };
}

/**
 * The provider holds the invoice under this key. It is recorded with what the provider holds — the
 * buyer and date of the send that created it — even where the order meanwhile meant another buyer
 * (that buyer then goes through the after-issuance rules as a change). `InvoiceIssued` is published
 * once the number is known; until then a number lookup is asked for and corrections wait.
 */
export function applyIssued(
  b: StepBuilder,
  state: OrderState,
  record: InvoiceRecord,
  report: IssuedReport,
): Outcome {
  let invoiceNo: string | undefined;
  if (report.invoiceNo !== undefined && report.invoiceNo !== "") {
    invoiceNo = normalizeInvoiceNo(report.invoiceNo);
    if (invoiceNo === undefined) {
      b.human(
        "INVOICE_NUMBER_MISSING",
        `provider reported invoice ${record.seq} issued as "${report.invoiceNo.slice(0, 40)}", not a 1-8 digit number: a lookup asks again`,
      );
    }
  }
  if (record.status === "issued") {
    if (invoiceNo !== undefined) return fillInNumber(b, state, record, invoiceNo);
    if (record.invoiceNo === undefined && report.attempt?.kind === "lookup") {
      // Asked for the number and still none: ask again after the issuer's backoff (bounded by it).
      wakeUp(b, record, b.ctx.now, "number", true);
      return { next: state, note: "still no number: looked up again later" };
    }
    return { next: state, note: "already issued" };
  }
  const problem = contradiction(state, record);
  if (problem) {
    b.human("CONTRADICTORY_CALLBACK", `${problem}${invoiceNo ? ` (number ${invoiceNo})` : ""}`);
    return { next: state, note: problem };
  }
  const wasCancelled = record.status === "cancelled";
  const via = sendThatCreated(record, report);
  let held: InvoiceBuyer = via?.buyer ?? record.buyer;
  if (report.sent && !report.found && !sameBuyer(report.sent.buyer, held)) {
    b.human(
      "CONTRADICTORY_CALLBACK",
      `the issuer reports sending another buyer than attempt ${via?.attempt} carried for invoice ${record.seq}`,
    );
    held = report.sent.buyer;
  }
  const change = intendedChange(state, record, held);
  const { failure: _f, basis: _b, ...base } = record;
  const basis = via?.basis ?? record.basis;
  const issued: InvoiceRecord = {
    ...base,
    status: "issued",
    buyer: held,
    ...(basis && sameBuyer(held, via?.buyer ?? record.buyer) ? { basis } : {}),
    invoiceDate:
      report.invoiceDate !== undefined && isLocalDate(report.invoiceDate)
        ? report.invoiceDate
        : (via?.invoiceDate ?? record.invoiceDate),
    ...(invoiceNo !== undefined ? { invoiceNo } : {}),
    ...(report.series !== undefined && report.series !== "" ? { series: report.series } : {}),
  };
  let next = replaceInvoice(state, issued);
  if (change) next = { ...next, pendingBuyerChange: change };
  if (invoiceNo !== undefined) publishIssued(b, { ...issued, invoiceNo });
  else wakeUp(b, issued, b.ctx.now + leaseMsOf(b.ctx.policy), "number", false);
  if (issued.role === "replacement" && issued.relatesToSeq !== undefined) {
    // A replacement resumed after failing re-takes its predecessor's place.
    const target = invoiceBySeq(next, issued.relatesToSeq);
    if (target) next = replaceInvoice(next, { ...target, supersededBySeq: issued.seq });
  }
  if (issued.role !== "adjustment") next = withoutFailure(next);
  next = afterIssued(b, next);
  const notes = [
    wasCancelled ? "issued despite cancellation: refunds become adjustments" : undefined,
    change
      ? "the provider's invoice names the buyer sent; the newer buyer is a change after issuance"
      : undefined,
    invoiceNo === undefined ? "no number yet: corrections wait, a lookup asks for it" : undefined,
  ].filter((n) => n !== undefined);
  return notes.length > 0 ? { next, note: notes.join("; ") } : { next };
}

/**
 * The original failed with nothing at the provider under its key: a buyer change that waited for
 * the result is applied now as a retarget, exactly as if it had arrived after the failure.
 */
export function retargetToPending(state: OrderState, invoice: InvoiceRecord): OrderState | undefined {
  const { pendingBuyerChange: pending, ...rest } = state;
  if (!pending || invoice.role !== "original") return undefined;
  if (sameBuyer(invoice.buyer, pending.buyer)) return rest;
  return replaceInvoice(rest, { ...invoice, buyer: pending.buyer, basis: refOf(pending) });
}

/**
 * An issuing invoice failed: refused for good, or the issuer's retries ran out. Published as
 * InvoiceFailed. What the failure releases (a retarget, the replaced invoice standing again, work that
 * waited for a correction) happens only when the provider certainly holds nothing under the key;
 * otherwise the invoice stays in the way until a replay's lookup settles it.
 */
export function applyFailed(
  b: StepBuilder,
  state: OrderState,
  record: InvoiceRecord,
  failure: Failure,
): Outcome {
  const failed: InvoiceRecord = { ...record, status: "failed", failure };
  let next = replaceInvoice(state, failed);
  b.publish("InvoiceFailed", {
    invoiceSeq: record.seq,
    role: record.role,
    transactionUuid: record.transactionUuid,
    errorCode: failure.code,
    errorMessage: failure.message,
    attempts: record.attempts.length,
  });
  const absent = settledAbsent(failed);
  if (!absent) {
    b.human(
      "SEND_OUTCOME_UNKNOWN",
      `${record.role} invoice ${record.seq} (${record.transactionUuid}) failed with its outcome unknown: the provider may hold it; a replay resumes it with a lookup`,
    );
  }
  if (record.role === "original") {
    const retargeted = absent ? retargetToPending(next, failed) : undefined;
    const note = `issuance failed: ${failure.code}${retargeted ? "; retargeted to the pending buyer change" : ""}`;
    return { next: { ...(retargeted ?? next), status: "FAILED", failure }, note };
  }
  b.human("CORRECTION_FAILED", `${record.role} invoice ${record.seq} failed: ${failure.code}`);
  if (!absent)
    return { next: { ...next, status: issuedStatus(next) }, note: `correction failed: ${failure.code}` };
  next = abandonIfLaterBuyerAdjustment(b, next, failed);
  if (record.role === "replacement" && record.relatesToSeq !== undefined) {
    // The replaced invoice was never taken over: it stands again.
    const target = invoiceBySeq(next, record.relatesToSeq);
    if (target) {
      const { supersededBySeq: _s, ...restored } = target;
      next = replaceInvoice(next, restored);
    }
  }
  // What waited for the correction (refunds, a newer buyer change) is settled against the invoice
  // that stands now.
  next = afterIssued(b, next);
  return { next, note: `correction failed: ${failure.code}` };
}
