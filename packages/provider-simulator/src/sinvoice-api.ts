import type { IncomingMessage, ServerResponse } from "node:http";
import { sampleLatencyMs } from "./dice.ts";
import { accessTokenOf, parseFields, readBody, sendJson } from "./http-io.ts";
import type { SimulatorState } from "./state.ts";
import { providerInvoiceNo, reservationCode, type StoredInvoice } from "./store.ts";
import { type ParsedInvoice, validateInvoice } from "./validate-invoice.ts";

/** What the API handlers need from the server around them. */
export interface ApiContext {
  state: SimulatorState;
  /** Resolves after `ms`; rejects when the simulator is closed (the request is then abandoned). */
  sleep: (ms: number) => Promise<void>;
  /** Delivers the asynchronous-numbering callback of `invoice` once its number is visible. */
  scheduleCallback: (invoice: StoredInvoice) => void;
}

/** SInvoice answers an invoice date after "now" as invalid; this much clock skew is tolerated. */
const FUTURE_TOLERANCE_MS = 60_000;

const STATUS_TEXT: Record<StoredInvoice["adjustmentType"], string> = {
  "1": "Hóa đơn gốc",
  "3": "Hóa đơn thay thế",
  "5": "Hóa đơn điều chỉnh tiền",
};

function badRequest(ctx: ApiContext, res: ServerResponse, code: string, message: string): void {
  ctx.state.refuse(code);
  sendJson(res, 400, { code: 400, message: code, data: message });
}

/**
 * Counts the request and refuses an expired or unknown token the way SInvoice does; the account (login
 * username) of the token when the request may go on.
 */
function admitted(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  counter: { requests: number; unauthorized: number },
): string | undefined {
  counter.requests += 1;
  const token = accessTokenOf(req);
  const account = ctx.state.tokenUser(token, Date.now());
  if (account !== undefined) return account;
  counter.unauthorized += 1;
  if (ctx.state.config.expiredTokenStyle === "500-general") {
    sendJson(res, 500, { status: 500, error: "Internal Server Error", message: "GENERAL" });
  } else {
    const description = token
      ? `Access token expired: ${token.slice(0, 8)}…`
      : "Full authentication is required";
    sendJson(
      res,
      401,
      { error: "invalid_token", error_description: description },
      {
        "www-authenticate": 'Bearer error="invalid_token"',
      },
    );
  }
  return undefined;
}

export async function handleLogin(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const fields = parseFields(req, await readBody(req));
  const { username, password } = fields ?? {};
  const users = ctx.state.config.users;
  const known = Object.keys(users).length === 0 || users[String(username)] === password;
  if (typeof username !== "string" || typeof password !== "string" || !username || !password || !known) {
    ctx.state.counters.login.refused += 1;
    // RFC 6749 section 5.2: a refused password grant is 400 invalid_grant.
    sendJson(res, 400, { error: "invalid_grant", error_description: "Bad credentials" });
    return;
  }
  const nowMs = Date.now();
  const { token, expiresInSeconds } = ctx.state.issueToken(username, nowMs);
  ctx.state.counters.login.ok += 1;
  sendJson(res, 200, {
    access_token: token,
    token_type: "bearer",
    expires_in: expiresInSeconds,
    scope: "openid",
    iat: Math.floor(nowMs / 1000),
    jti: token.slice(0, 16),
  });
}

function createdBody(invoice: StoredInvoice, nowMs: number) {
  return {
    errorCode: null,
    description: null,
    result: {
      supplierTaxCode: invoice.series.supplierTaxCode,
      // Asynchronous numbering: SInvoice answers with an empty number (spec 7.2 note 5).
      invoiceNo: nowMs >= invoice.numberedAtMs ? providerInvoiceNo(invoice) : "",
      transactionID: String(invoice.transactionId),
      reservationCode: reservationCode(invoice),
      codeOfTax: null,
    },
  };
}

type CreateResult = { ok: true; invoice: StoredInvoice } | { ok: false; code: string; message: string };

/** Dates, numbers and stores the invoice under `account`: the moment the provider "creates" it. */
function create(ctx: ApiContext, mst: string, parsed: ParsedInvoice, account: string): CreateResult {
  const { state } = ctx;
  const nowMs = Date.now();
  const issuedAtMs = parsed.issuedAtMs ?? Math.floor(nowMs / 1000) * 1000;
  if (state.config.refuseFutureDates && issuedAtMs > nowMs + FUTURE_TOLERANCE_MS) {
    return { ok: false, code: "INVOICE_ISSUED_DATE_INVALID", message: "Ngày lập lớn hơn ngày hiện tại" };
  }
  const series = state.store.series(mst, parsed.templateCode, parsed.invoiceSeries);
  const check = state.store.checkDate(series, issuedAtMs);
  if (!check.ok) return check;
  const async = state.random() < state.config.async.rate;
  const numberedAtMs = async ? nowMs + state.config.async.delayMs : nowMs;
  const fields = {
    transactionUuid: parsed.transactionUuid,
    issuedAtMs,
    adjustmentType: parsed.adjustmentType,
    ...(parsed.adjustmentInvoiceType ? { adjustmentInvoiceType: parsed.adjustmentInvoiceType } : {}),
    ...(parsed.buyerTaxCode ? { buyerTaxCode: parsed.buyerTaxCode } : {}),
    ...(parsed.buyerLegalName ? { buyerLegalName: parsed.buyerLegalName } : {}),
    account,
  };
  const invoice = state.store.insert(series, fields, nowMs, numberedAtMs);
  state.counters.createInvoice.issued += 1;
  if (async) {
    state.counters.async.accepted += 1;
    ctx.scheduleCallback(invoice);
  }
  return { ok: true, invoice };
}

function sendFault(ctx: ApiContext, res: ServerResponse, status: number): void {
  const { retryAfterSeconds } = ctx.state.config.errors;
  const headers: Record<string, string> =
    status === 429 || status === 503 ? { "retry-after": String(retryAfterSeconds) } : {};
  const error = {
    429: "Too Many Requests",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  }[status];
  sendJson(
    res,
    status,
    {
      timestamp: new Date().toISOString(),
      status,
      error: error ?? "Internal Server Error",
      message: "Request processing failed",
    },
    headers,
  );
}

export async function handleCreateInvoice(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  mst: string,
): Promise<void> {
  const { state } = ctx;
  const account = admitted(ctx, req, res, state.counters.createInvoice);
  if (account === undefined) return;
  const text = await readBody(req); // a BodyTooLargeError goes up to the 413 answer
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    badRequest(ctx, res, "JSON_PARSE_ERROR", "Lỗi định dạng dữ liệu truyền vào");
    return;
  }
  const validation = validateInvoice(body, mst);
  if (!validation.ok) return badRequest(ctx, res, validation.code, validation.message);
  const parsed = validation.invoice;
  const registered = state.config.series[mst];
  if (registered && !registered.includes(`${parsed.templateCode}|${parsed.invoiceSeries}`)) {
    return badRequest(ctx, res, "INVOICE_SERIAL_NOT_FOUND", "Ký hiệu hóa đơn không tồn tại");
  }
  const original = parsed.original;
  if (original && !state.store.hasInvoice(mst, original.invoiceSeries, original.number)) {
    return badRequest(ctx, res, "ORIGINAL_INVOICE_NOT_FOUND", "Không tìm thấy hóa đơn gốc");
  }
  const latencyMs = sampleLatencyMs(state.config.latency, state.random);
  // The dedupe check runs before the wait and the insert after it, as at SInvoice: a repeat after
  // completion gets the original invoice back, two concurrent sends of one key both pass the check
  // and create two invoices (spec 5.4).
  const existing = state.store.find(mst, parsed.transactionUuid);
  if (existing[0] !== undefined) {
    await ctx.sleep(latencyMs);
    state.counters.createInvoice.repeats += 1;
    sendJson(res, 200, createdBody(existing[0], Date.now()));
    return;
  }
  const { errors, timeouts } = state.config;
  if (errors.rate > 0 && state.random() < errors.rate) {
    state.counters.faults.errors += 1;
    await ctx.sleep(latencyMs);
    if (state.random() < errors.createRate && create(ctx, mst, parsed, account).ok)
      state.counters.faults.errorsCreated += 1;
    return sendFault(ctx, res, errors.status);
  }
  if (timeouts.rate > 0 && state.random() < timeouts.rate) {
    state.counters.faults.timeouts += 1;
    await ctx.sleep(timeouts.holdMs);
    if (state.random() < timeouts.createRate && create(ctx, mst, parsed, account).ok)
      state.counters.faults.timeoutsCreated += 1;
    res.destroy(); // no answer at all: the client has timed out by now or sees the connection drop
    return;
  }
  await ctx.sleep(latencyMs);
  const created = create(ctx, mst, parsed, account);
  if (!created.ok) return badRequest(ctx, res, created.code, created.message);
  sendJson(res, 200, createdBody(created.invoice, Date.now()));
}

export async function handleSearch(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { state } = ctx;
  if (admitted(ctx, req, res, state.counters.search) === undefined) return;
  const fields = parseFields(req, await readBody(req)) ?? {};
  const { supplierTaxCode, transactionUuid } = fields;
  if (
    typeof supplierTaxCode !== "string" ||
    typeof transactionUuid !== "string" ||
    !supplierTaxCode ||
    !transactionUuid
  ) {
    return badRequest(ctx, res, "BAD_REQUEST", "supplierTaxCode và transactionUuid là bắt buộc");
  }
  await ctx.sleep(sampleLatencyMs(state.config.latency, state.random));
  const nowMs = Date.now();
  const invoices = state.store.find(supplierTaxCode, transactionUuid);
  if (invoices.length === 0) {
    state.counters.search.notFound += 1;
    sendJson(res, 200, {
      transactionUuid,
      errorCode: "NOT_FOUND_DATA",
      description: "Không tìm thấy dữ liệu",
      result: null,
    });
    return;
  }
  state.counters.search.found += 1;
  sendJson(res, 200, {
    transactionUuid,
    errorCode: null,
    description: null,
    result: invoices.map((invoice) => ({
      supplierTaxCode,
      invoiceNo: nowMs >= invoice.numberedAtMs ? providerInvoiceNo(invoice) : "",
      reservationCode: reservationCode(invoice),
      issueDate: invoice.issuedAtMs,
      status:
        invoice.adjustmentType === "5" && invoice.adjustmentInvoiceType === "2"
          ? "Hóa đơn điều chỉnh thông tin"
          : STATUS_TEXT[invoice.adjustmentType],
      exchangeStatus: null,
      exchangeDes: null,
      codeOfTax: null,
    })),
  });
}
