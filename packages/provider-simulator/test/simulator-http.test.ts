import { afterEach, describe, expect, it } from "vitest";
import { type RunningSimulator, type SimulatorConfigInput, startSimulator } from "../src/index.ts";

const MST = "0100109106";
const running: RunningSimulator[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
});

async function start(config: SimulatorConfigInput = {}) {
  const simulator = await startSimulator({ port: 0, config });
  running.push(simulator);
  return simulator;
}

async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, json, headers: response.headers };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });

async function login(s: RunningSimulator, username = `${MST}-509`) {
  const { json } = await post(s.authUrl, { username, password: "x" });
  return { cookie: `access_token=${String(json.access_token)}` };
}

/** A minimal valid createInvoice body (one 10% line). */
function invoice(transactionUuid: string, overrides: Record<string, unknown> = {}) {
  return {
    generalInvoiceInfo: {
      transactionUuid,
      templateCode: "1/001",
      invoiceSeries: "C26TAA",
      currencyCode: "VND",
      paymentStatus: true,
      invoiceIssuedDate: Date.now() - 60_000,
    },
    buyerInfo: { buyerNotGetInvoice: 1 },
    payments: [{ paymentMethod: "3", paymentMethodName: "TM/CK" }],
    itemInfo: [
      {
        lineNumber: 1,
        selection: 1,
        itemName: "Áo",
        quantity: 2,
        unitPrice: 100_000,
        itemTotalAmountWithoutTax: 200_000,
        taxPercentage: 10,
        taxAmount: 20_000,
      },
    ],
    taxBreakdowns: [{ taxPercentage: 10, taxableAmount: 200_000, taxAmount: 20_000 }],
    ...overrides,
  };
}

const createUrl = (s: RunningSimulator) => `${s.baseUrl}/InvoiceAPI/InvoiceWS/createInvoice/${MST}`;

describe("simulator SInvoice API", () => {
  it("login: a token with expires_in; bad credentials are 400 invalid_grant", async () => {
    const s = await start({ users: { [`${MST}-509`]: "secret" }, tokenTtlSeconds: 120 });
    const ok = await post(s.authUrl, { username: `${MST}-509`, password: "secret" });
    expect(ok).toMatchObject({ status: 200, json: { token_type: "bearer", expires_in: 120 } });
    expect(typeof ok.json.access_token).toBe("string");
    expect(await post(s.authUrl, { username: `${MST}-509`, password: "wrong" })).toMatchObject({
      status: 400,
      json: { error: "invalid_grant" },
    });
  });

  it("refuses a missing or revoked token with 401 invalid_token, or HTTP 500 GENERAL in that style", async () => {
    const s = await start();
    const denied = await post(createUrl(s), invoice("no-token-key-1"));
    expect(denied).toMatchObject({ status: 401, json: { error: "invalid_token" } });
    expect(denied.headers.get("www-authenticate")).toContain("invalid_token");
    s.configure({ expiredTokenStyle: "500-general" });
    expect(await post(createUrl(s), invoice("no-token-key-2"))).toMatchObject({
      status: 500,
      json: { message: "GENERAL" },
    });
  });

  it("creates, answers a repeat with the same invoice, and finds it by key (form or JSON)", async () => {
    const s = await start();
    const auth = await login(s);
    const first = await post(createUrl(s), invoice("key-aaaaaaaaaa"), auth);
    expect(first).toMatchObject({
      status: 200,
      json: { errorCode: null, result: { supplierTaxCode: MST, invoiceNo: "C26TAA1" } },
    });
    const repeat = await post(createUrl(s), invoice("key-aaaaaaaaaa"), auth);
    expect(repeat.json).toEqual(first.json);
    const search = `${s.url}/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid`; // without the API prefix too
    const form = await call(search, {
      method: "POST",
      body: new URLSearchParams({ supplierTaxCode: MST, transactionUuid: "key-aaaaaaaaaa" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", ...auth },
    });
    expect(form).toMatchObject({
      status: 200,
      json: { errorCode: null, result: [{ invoiceNo: "C26TAA1", status: "Hóa đơn gốc" }] },
    });
    const missing = await post(search, { supplierTaxCode: MST, transactionUuid: "key-unknown-1" }, auth);
    expect(missing).toMatchObject({ status: 200, json: { errorCode: "NOT_FOUND_DATA", result: null } });
    expect(s.invoices(MST, "key-aaaaaaaaaa")).toHaveLength(1);
  });

  it("lists whom each invoice was issued to: the buyer's tax code and legal name, null for anonymous", async () => {
    const s = await start();
    const auth = await login(s);
    const buyerInfo = {
      buyerNotGetInvoice: 0,
      buyerLegalName: "Công ty TNHH Thương mại Hoa Sen",
      buyerTaxCode: "0300588569",
      buyerAddressLine: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    };
    expect(await post(createUrl(s), invoice("key-company-01", { buyerInfo }), auth)).toMatchObject({
      status: 200,
    });
    expect(await post(createUrl(s), invoice("key-anonymous-1"), auth)).toMatchObject({ status: 200 });
    const listed = await call(
      `${s.url}/admin/invoices?supplierTaxCode=${MST}&transactionUuid=key-company-01`,
    );
    expect(listed.json.invoices).toMatchObject([
      {
        transactionUuid: "key-company-01",
        buyerTaxCode: "0300588569",
        buyerLegalName: buyerInfo.buyerLegalName,
      },
    ]);
    expect(s.invoices(MST, "key-anonymous-1")).toMatchObject([{ buyerTaxCode: null, buyerLegalName: null }]);
  });

  it.each([
    ["not JSON", "{", "JSON_PARSE_ERROR"],
    ["short transactionUuid", invoice("short"), "TRANSACTION_UUID_INVALID"],
    [
      "quantity x price mismatch",
      invoice("key-bbbbbbbbbb", {
        itemInfo: [
          {
            itemName: "Áo",
            quantity: 2,
            unitPrice: 100_000,
            itemTotalAmountWithoutTax: 199_000,
            taxPercentage: 10,
            taxAmount: 19_900,
          },
        ],
      }),
      "IVI_TOTAL_A_WITHOUT_TAX_AND_UP_QUAN_NOT_COMPARED",
    ],
    [
      "wrong VAT",
      invoice("key-cccccccccc", {
        itemInfo: [
          {
            itemName: "Áo",
            quantity: 2,
            unitPrice: 100_000,
            itemTotalAmountWithoutTax: 200_000,
            taxPercentage: 10,
            taxAmount: 25_000,
          },
        ],
      }),
      "VAT_AMOUNT_INVALID",
    ],
    [
      "rate 7%",
      invoice("key-dddddddddd", {
        itemInfo: [
          {
            itemName: "Áo",
            quantity: 1,
            unitPrice: 1,
            itemTotalAmountWithoutTax: 1,
            taxPercentage: -3,
            taxAmount: 0,
          },
        ],
      }),
      "VAT_PERCENTAGE_INVALID",
    ],
    [
      "named buyer without address",
      invoice("key-eeeeeeeeee", { buyerInfo: { buyerNotGetInvoice: 0, buyerName: "An" } }),
      "BUYER_ADDRESS_REQUIRED",
    ],
    [
      "seller tax code of another MST",
      invoice("key-ffffffffff", {
        sellerInfo: { sellerTaxCode: "0300588569", sellerLegalName: "X", sellerAddressLine: "Y" },
      }),
      "SELLER_TAX_CODE_INVALID",
    ],
    [
      "breakdown off",
      invoice("key-gggggggggg", {
        taxBreakdowns: [{ taxPercentage: 10, taxableAmount: 100, taxAmount: 20_000 }],
      }),
      "TAXABLE_AMOUNT_INVALID",
    ],
  ])("refuses %s with SInvoice's 400 shape", async (_name, body, code) => {
    const s = await start();
    const refused = await post(createUrl(s), body, await login(s));
    expect(refused).toMatchObject({ status: 400, json: { code: 400, message: code } });
    expect(s.report()).toMatchObject({ issued: 0, counters: { refusals: { [code]: 1 } } });
  });

  it("refuses a body over 1 MiB with 413 and unknown routes with 404", async () => {
    const s = await start();
    const auth = await login(s);
    expect((await post(createUrl(s), "x".repeat(1024 * 1024 + 1), auth)).status).toBe(413);
    expect((await call(`${s.url}/nothing-here`)).status).toBe(404);
  });
});

describe("simulator admin API", () => {
  it("GET/PATCH/PUT config: merged, replaced, validated (problem+json)", async () => {
    const s = await start({ errors: { rate: 0.5, status: 503 } });
    const admin = `${s.url}/admin/config`;
    expect((await call(admin)).json).toMatchObject({ errors: { rate: 0.5, status: 503 } });
    const patched = await call(admin, { method: "PATCH", body: JSON.stringify({ errors: { rate: 0.1 } }) });
    expect(patched.json).toMatchObject({ errors: { rate: 0.1, status: 503 } });
    const put = await call(admin, {
      method: "PUT",
      body: JSON.stringify({ latency: { kind: "lognormal", medianMs: 200, sigma: 0.4 } }),
    });
    expect(put.json).toMatchObject({
      errors: { rate: 0, status: 500 },
      latency: { kind: "lognormal", maxMs: 60_000 },
    });
    const bad = await call(admin, { method: "PUT", body: JSON.stringify({ timeouts: { rate: -1 } }) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(String(bad.json.detail)).toContain("timeouts.rate");
    expect((await call(admin, { method: "PUT", body: "{" })).status).toBe(400);
  });

  it("outage: API calls get 503 while the admin API works; DELETE ends it; the report shows it", async () => {
    const s = await start();
    const auth = await login(s);
    const started = await call(`${s.url}/admin/outage`, {
      method: "POST",
      body: JSON.stringify({ durationMs: 60_000 }),
    });
    expect(started).toMatchObject({ status: 200, json: { mode: "503" } });
    expect((await post(createUrl(s), invoice("key-outage-01"), auth)).status).toBe(503);
    expect((await post(s.authUrl, { username: "u", password: "p" })).status).toBe(503);
    expect((await call(`${s.url}/admin/report`)).json).toMatchObject({
      outage: { mode: "503" },
      counters: { faults: { outageRejected: 2 } },
    });
    await call(`${s.url}/admin/outage`, { method: "DELETE" });
    expect((await post(createUrl(s), invoice("key-outage-01"), auth)).status).toBe(200);
  });

  it("hang outage: the request is held until the outage ends, then dropped without creating", async () => {
    const s = await start();
    const auth = await login(s);
    s.startOutage({ durationMs: 300, mode: "hang" });
    const began = Date.now();
    await expect(post(createUrl(s), invoice("key-hang-0001"), auth)).rejects.toThrow();
    // Time is the subject (held until the outage ends); a lower bound, which load only makes easier.
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    expect(s.report().issued).toBe(0);
  });

  it("records the account that created each invoice; lists a series in number order with its dates", async () => {
    const s = await start();
    const day = Date.now() - 86_400_000;
    const a = await login(s, "seller-a");
    const b = await login(s, "seller-b");
    const dated = (key: string, at: number) =>
      invoice(key, { generalInvoiceInfo: { ...invoice(key).generalInvoiceInfo, invoiceIssuedDate: at } });
    expect((await post(createUrl(s), dated("key-acct-0001", day), a)).status).toBe(200);
    expect((await post(createUrl(s), dated("key-acct-0002", day + 1_000), b)).status).toBe(200);
    // Dated before the series' last invoice: refused, and it takes no number.
    expect((await post(createUrl(s), dated("key-acct-0003", day), a)).json).toMatchObject({
      message: "INVOICE_ISSUED_DATE_INVALID",
    });
    expect(s.invoices(MST, "key-acct-0001")).toMatchObject([{ account: "seller-a" }]);
    const listed = await call(`${s.url}/admin/series?supplierTaxCode=${MST}&invoiceSeries=C26TAA`);
    expect(listed.json).toMatchObject({
      invoices: [
        { invoiceNumber: 1, issueDate: Math.floor(day / 1000) * 1000, account: "seller-a" },
        { invoiceNumber: 2, issueDate: Math.floor(day / 1000) * 1000 + 1_000, account: "seller-b" },
      ],
    });
    expect(s.seriesInvoices(MST, "C26TAA")).toHaveLength(2);
    expect(s.report().sellers[MST]?.series[0]?.accounts).toEqual({ "seller-a": 1, "seller-b": 1 });
  });

  it("reset forgets invoices and counters; revoke-tokens refuses every token", async () => {
    const s = await start();
    const auth = await login(s);
    await post(createUrl(s), invoice("key-reset-001"), auth);
    expect(s.report().issued).toBe(1);
    expect((await call(`${s.url}/admin/reset`, { method: "POST" })).json).toEqual({ reset: true });
    expect(s.report()).toMatchObject({ issued: 0, sellers: {}, counters: { login: { ok: 0 } } });
    expect((await post(createUrl(s), invoice("key-reset-001"), auth)).json).toMatchObject({
      result: { invoiceNo: "C26TAA1" },
    });
    expect((await call(`${s.url}/admin/revoke-tokens`, { method: "POST" })).json).toEqual({ revoked: 1 });
    expect((await post(createUrl(s), invoice("key-reset-002"), auth)).status).toBe(401);
    const listed = await call(`${s.url}/admin/invoices?supplierTaxCode=${MST}&transactionUuid=key-reset-001`);
    expect(listed.json).toMatchObject({
      invoices: [{ invoiceNo: "C26TAA1", transactionUuid: "key-reset-001" }],
    });
  });
});
