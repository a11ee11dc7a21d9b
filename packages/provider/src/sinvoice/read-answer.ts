import type { IssuedInvoice } from "../port.ts";
import { ProviderError, type ProviderErrorCode, type ProviderOperation } from "../provider-error.ts";
import type { HttpAnswer } from "./transport.ts";

/**
 * Reading SInvoice's answers (pure). Its error shapes are mixed (spec 7.2, 7.21, section 8):
 * - `{"errorCode": "...", "description": "..."}`, often with HTTP 200;
 * - `{"code": 400, "message": "VAT_AMOUNT_INVALID", "data": "..."}` with HTTP 400;
 * - `{"error": "invalid_token", "error_description": "..."}` with HTTP 401 (XML on some endpoints);
 * - HTTP 500 `{"error": "Internal Server Error", "message": "GENERAL"}`, which the spec's error table
 *   says means an expired token.
 */

type Json = Record<string, unknown>;

function parse(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

const filled = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

/** The provider's own code in any of its shapes. */
function providerCodeOf(json: Json | undefined): string | undefined {
  if (!json) return undefined;
  for (const field of ["errorCode", "message", "error"] as const) {
    if (filled(json[field])) return json[field];
  }
  return undefined;
}

function descriptionOf(json: Json | undefined, fallback: string): string {
  if (!json) return fallback;
  for (const field of ["description", "data", "error_description"] as const) {
    if (filled(json[field])) return `${providerCodeOf(json) ?? "error"}: ${json[field]}`;
  }
  return providerCodeOf(json) ?? fallback;
}

/** Refusal codes that are about the invoice date (before the series' last invoice, or in the future). */
const DATE_CODE = /ISSUED_DATE|INVOICE_DATE|ISSUE_DATE/i;
const SERIES_CODE = /INVOICE_SERIAL_NOT_FOUND|TEMPLATE.*NOT_FOUND|SERIES.*NOT_FOUND/i;

/** What a refused call's provider code means for us (all permanent, nothing created). */
function refusalCode(providerCode: string | undefined, status: number): ProviderErrorCode {
  if (status === 403) return "PROVIDER_AUTH_REJECTED";
  if (status === 404 || status === 405 || status === 415) return "PROVIDER_CONFIG_INVALID";
  if (providerCode && DATE_CODE.test(providerCode)) return "PROVIDER_INVOICE_DATE_REFUSED";
  if (providerCode && SERIES_CODE.test(providerCode)) return "PROVIDER_SERIES_NOT_FOUND";
  return "PROVIDER_VALIDATION";
}

/** True when the answer says the token was refused: log in again and retry. */
export function tokenRefused(answer: HttpAnswer): "refused" | "general" | false {
  if (answer.status === 401) return "refused";
  if (answer.status === 500 && parse(answer.body)?.message === "GENERAL") return "general";
  return false;
}

/** A non-2xx answer, or a 2xx refusal, as a ProviderError. */
export function errorOf(answer: HttpAnswer, operation: ProviderOperation, nowMs: number): ProviderError {
  const json = parse(answer.body);
  const providerCode = providerCodeOf(json);
  const message = `${operation}: HTTP ${answer.status} ${descriptionOf(json, answer.body.slice(0, 200))}`;
  const base = { operation, httpStatus: answer.status, ...(providerCode ? { providerCode } : {}) };
  const retryAt =
    answer.retryAfterSeconds === undefined ? undefined : nowMs + answer.retryAfterSeconds * 1000;
  if (answer.status === 429) {
    return new ProviderError("PROVIDER_RATE_LIMITED", message, { ...base, retryAt: retryAt ?? nowMs + 1000 });
  }
  if (answer.status >= 500) {
    return new ProviderError(
      "PROVIDER_SERVER_ERROR",
      message,
      retryAt === undefined ? base : { ...base, retryAt },
    );
  }
  if (answer.status >= 400 || (answer.status >= 200 && answer.status < 300 && providerCode)) {
    return new ProviderError(refusalCode(providerCode, answer.status), message, base);
  }
  return new ProviderError("PROVIDER_BAD_RESPONSE", message, base);
}

/**
 * "C26TAA12" (series + number, how SInvoice writes an invoice number; TT32-era numbers are padded,
 * "AA/20E0000001") split into series and the number without leading zeros.
 */
export function splitInvoiceNo(providerInvoiceNo: string): { series: string; invoiceNo: string } | undefined {
  const match = /^(.*\D)(\d{1,8})$/.exec(providerInvoiceNo.trim());
  if (!match?.[1] || !match[2]) return undefined;
  const invoiceNo = String(Number(match[2]));
  return invoiceNo === "0" ? undefined : { series: match[1], invoiceNo };
}

export type CreateReading =
  | { kind: "issued"; invoice: Omit<IssuedInvoice, "templateCode" | "issuedAt"> }
  | { kind: "accepted"; providerTransactionId?: string; reservationCode?: string }
  | { kind: "failed"; error: ProviderError };

const optional = (v: unknown) => (filled(v) || typeof v === "number" ? String(v) : undefined);

/** A createInvoice answer that was not a token refusal. */
export function readCreate(answer: HttpAnswer, nowMs: number): CreateReading {
  const json = parse(answer.body);
  if (answer.status < 200 || answer.status >= 300 || (json && providerCodeOf(json) && !json.result)) {
    return { kind: "failed", error: errorOf(answer, "createInvoice", nowMs) };
  }
  const result = json?.result;
  if (typeof result !== "object" || result === null) {
    const error = new ProviderError(
      "PROVIDER_BAD_RESPONSE",
      `createInvoice: unreadable 2xx answer: ${answer.body.slice(0, 200)}`,
      {
        operation: "createInvoice",
        httpStatus: answer.status,
      },
    );
    return { kind: "failed", error };
  }
  const r = result as Json;
  const providerTransactionId = optional(r.transactionID);
  const reservationCode = optional(r.reservationCode);
  if (!filled(r.invoiceNo)) {
    // Asynchronous numbering (spec 7.2 note 5): created, number to be looked up later.
    return {
      kind: "accepted",
      ...(providerTransactionId ? { providerTransactionId } : {}),
      ...(reservationCode ? { reservationCode } : {}),
    };
  }
  const split = splitInvoiceNo(r.invoiceNo);
  if (!split) {
    const error = new ProviderError(
      "PROVIDER_BAD_RESPONSE",
      `createInvoice: unreadable invoiceNo ${r.invoiceNo}`,
      {
        operation: "createInvoice",
        httpStatus: answer.status,
      },
    );
    return { kind: "failed", error };
  }
  const invoice: CreateReading & { kind: "issued" } = {
    kind: "issued",
    invoice: {
      supplierTaxCode: optional(r.supplierTaxCode) ?? "",
      invoiceNo: split.invoiceNo,
      providerInvoiceNo: r.invoiceNo.trim(),
      series: split.series,
    },
  };
  if (providerTransactionId) invoice.invoice.providerTransactionId = providerTransactionId;
  if (reservationCode) invoice.invoice.reservationCode = reservationCode;
  const codeOfTax = optional(r.codeOfTax);
  if (codeOfTax) invoice.invoice.taxAuthorityCode = codeOfTax;
  return invoice;
}

/** errorCode values SInvoice uses for "no invoice under this key". */
const NOT_FOUND_CODES = new Set(["NOT_FOUND_DATA", "INVOICE_NOT_FOUND", "INVOCIE_NOT_FOUND"]);

export type LookupReading =
  | { kind: "found"; invoices: Omit<IssuedInvoice, "templateCode">[] }
  | { kind: "pending" }
  | { kind: "not-found" }
  | { kind: "failed"; error: ProviderError };

/**
 * A searchInvoiceByTransactionUuid answer that was not a token refusal. "not-found" only on an
 * explicit answer (a not-found errorCode, or an empty result list): an empty or odd body is a
 * failure, because "not found" leads to a resend.
 */
export function readLookup(answer: HttpAnswer, nowMs: number): LookupReading {
  const json = parse(answer.body);
  const operation = "searchInvoiceByTransactionUuid";
  const code = json ? providerCodeOf(json) : undefined;
  if (answer.status >= 200 && answer.status < 300 && code && NOT_FOUND_CODES.has(code))
    return { kind: "not-found" };
  if (answer.status === 400 && code && NOT_FOUND_CODES.has(code)) return { kind: "not-found" };
  if (answer.status < 200 || answer.status >= 300 || code) {
    return { kind: "failed", error: errorOf(answer, operation, nowMs) };
  }
  const result = json?.result;
  if (!Array.isArray(result)) {
    const detail = `${operation}: answer says neither found nor not found: ${answer.body.slice(0, 200)}`;
    return {
      kind: "failed",
      error: new ProviderError("PROVIDER_BAD_RESPONSE", detail, { operation, httpStatus: answer.status }),
    };
  }
  if (result.length === 0) return { kind: "not-found" };
  const invoices: Omit<IssuedInvoice, "templateCode">[] = [];
  for (const entry of result) {
    if (typeof entry !== "object" || entry === null) continue;
    const e = entry as Json;
    if (!filled(e.invoiceNo)) continue; // created, not numbered yet
    const split = splitInvoiceNo(e.invoiceNo);
    if (!split) {
      const detail = `${operation}: unreadable invoiceNo ${e.invoiceNo}`;
      return {
        kind: "failed",
        error: new ProviderError("PROVIDER_BAD_RESPONSE", detail, { operation, httpStatus: answer.status }),
      };
    }
    const invoice: Omit<IssuedInvoice, "templateCode"> = {
      supplierTaxCode: optional(e.supplierTaxCode) ?? "",
      invoiceNo: split.invoiceNo,
      providerInvoiceNo: e.invoiceNo.trim(),
      series: split.series,
      issuedAt: typeof e.issueDate === "number" ? e.issueDate : 0,
    };
    const extras = {
      reservationCode: e.reservationCode,
      taxAuthorityCode: e.codeOfTax,
      providerStatus: e.status,
      exchangeStatus: e.exchangeStatus,
    };
    for (const [field, value] of Object.entries(extras)) {
      const text = optional(value)?.trim();
      if (text) (invoice as Record<string, unknown>)[field] = text;
    }
    invoices.push(invoice);
  }
  if (invoices.length === 0) return { kind: "pending" };
  // Oldest first: by date, then by number (two sends of one key share the date).
  invoices.sort((a, b) => a.issuedAt - b.issuedAt || Number(a.invoiceNo) - Number(b.invoiceNo));
  return { kind: "found", invoices };
}
