import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { vietnamDateOf } from "@invoice/domain";
import type { SimulatorReport } from "@invoice/provider-simulator";
import { waitFor } from "@invoice/testing";
import { describe, expect, it } from "vitest";
import {
  type IssueOutcome,
  type IssueRequest,
  type LookupOutcome,
  type ProviderAdapter,
  SInvoiceAdapter,
  vietnamMidnight,
} from "../src/index.ts";
import { sampleIssueRequest } from "../src/testing/index.ts";
import { useHarness } from "./helpers.ts";

const start = useHarness();
const today = () => vietnamDateOf(Date.now());

function issued(outcome: IssueOutcome) {
  if (outcome.kind !== "issued") throw new Error(`expected issued, got ${JSON.stringify(outcome)}`);
  return outcome.invoice;
}
function failed(outcome: IssueOutcome | LookupOutcome) {
  if (outcome.kind !== "failed") throw new Error(`expected failed, got ${outcome.kind}`);
  return outcome.error;
}
const lookupOf = (r: IssueRequest) => ({ idempotencyKey: r.idempotencyKey, seller: r.seller });

/** The same request under another seller tax code (document and seller context agree). */
function forSeller(request: IssueRequest, taxCode: string): IssueRequest {
  return {
    ...request,
    document: { ...request.document, seller: { ...request.document.seller, taxCode } },
    seller: { ...request.seller, supplierTaxCode: taxCode },
  };
}

describe("SInvoice adapter against the simulator", () => {
  it("issues, then finds the invoice by its key with the same facts", async () => {
    const h = await start();
    const request = sampleIssueRequest("company");
    const outcome = await h.adapter.issue(request);
    const invoice = issued(outcome);
    expect(invoice).toMatchObject({
      invoiceNo: "1",
      series: `C${today().slice(2, 4)}TAA`,
      templateCode: "1/001",
      supplierTaxCode: "0100109106",
    });
    expect(invoice.providerInvoiceNo).toBe(`${invoice.series}1`);
    expect(invoice.reservationCode).toMatch(/^[0-9A-Z]{10}$/);
    expect(invoice.issuedAt).toBe(vietnamMidnight(today()));
    expect(outcome.kind === "issued" && outcome.attemptId).toBe(request.attemptId);
    expect(outcome.kind === "issued" && outcome.exchange).toMatchObject({
      operation: "createInvoice",
      httpStatus: 200,
      calls: 1,
    });
    const found = await h.adapter.lookup(lookupOf(request));
    expect(found).toMatchObject({
      kind: "found",
      invoice: { invoiceNo: "1", reservationCode: invoice.reservationCode, issuedAt: invoice.issuedAt },
    });
    expect(found.kind === "found" && found.invoices).toHaveLength(1);
    expect(await h.adapter.lookup({ ...lookupOf(request), idempotencyKey: randomUUID() })).toMatchObject({
      kind: "not-found",
    });
  });

  it("numbers sequentially per series and per seller; the report counts them", async () => {
    const h = await start();
    const numbers: string[] = [];
    for (const series of ["C26TAA", "C26TAA", "C26TBB", "C26TAA"]) {
      const s = `${series.slice(0, 1)}${today().slice(2, 4)}${series.slice(3)}`;
      numbers.push(issued(await h.adapter.issue(sampleIssueRequest("anonymous", { series: s }))).invoiceNo);
    }
    numbers.push(
      issued(await h.adapter.issue(forSeller(sampleIssueRequest("anonymous"), "0300588569"))).invoiceNo,
    );
    expect(numbers).toEqual(["1", "2", "1", "3", "1"]);
    const report = h.simulator.report();
    expect(report.issued).toBe(5);
    expect(report.sellers["0100109106"]?.issued).toBe(4);
    expect(report.sellers["0300588569"]?.issued).toBe(1);
    expect(report.duplicateKeys).toBe(0);
  });

  it("a repeat after completion returns the original invoice, no second one", async () => {
    const h = await start();
    const request = sampleIssueRequest("individual");
    const first = issued(await h.adapter.issue(request));
    const again = issued(await h.adapter.issue({ ...request, attemptId: randomUUID() }));
    expect(again).toEqual(first);
    expect(h.simulator.report()).toMatchObject({
      issued: 1,
      duplicateKeys: 0,
      counters: { createInvoice: { repeats: 1 } },
    });
  });

  it("two concurrent sends of one key create two invoices, and the report and the lookup show it", async () => {
    const h = await start({ latency: { kind: "fixed", ms: 150 } });
    const request = sampleIssueRequest("company");
    const [a, b] = await Promise.all([
      h.adapter.issue(request),
      h.adapter.issue({ ...request, attemptId: randomUUID() }),
    ]);
    expect(new Set([issued(a).invoiceNo, issued(b).invoiceNo])).toEqual(new Set(["1", "2"]));
    const report = h.simulator.report();
    expect(report.duplicateKeys).toBe(1);
    expect(report.duplicates[0]).toMatchObject({ transactionUuid: request.idempotencyKey, count: 2 });
    const found = await h.adapter.lookup(lookupOf(request));
    expect(found.kind === "found" && found.invoices.map((i) => i.invoiceNo)).toEqual(["1", "2"]);
  });

  it("refuses a send dated before the series' last invoice (permanent, not created)", async () => {
    const h = await start();
    const midnight = vietnamMidnight(today());
    issued(await h.adapter.issue({ ...sampleIssueRequest("company"), issuedAt: midnight + 2_000 }));
    const late = await h.adapter.issue({ ...sampleIssueRequest("company"), issuedAt: midnight + 1_000 });
    expect(failed(late)).toMatchObject({
      code: "PROVIDER_INVOICE_DATE_REFUSED",
      verdict: "not-created",
      retriable: false,
      providerCode: "INVOICE_ISSUED_DATE_INVALID",
      httpStatus: 400,
    });
    // Same time as the last one is fine (non-decreasing), and so is another series.
    issued(await h.adapter.issue({ ...sampleIssueRequest("company"), issuedAt: midnight + 2_000 }));
    expect(h.simulator.report().issued).toBe(2);
  });

  it("refuses an invoice dated in the future", async () => {
    const h = await start();
    const tomorrow = vietnamDateOf(Date.now() + 86_400_000);
    const outcome = await h.adapter.issue(sampleIssueRequest("company", { invoiceDate: tomorrow }));
    expect(failed(outcome)).toMatchObject({ code: "PROVIDER_INVOICE_DATE_REFUSED", verdict: "not-created" });
  });

  it("issues corrections that refer to an invoice the provider has, and refuses one that does not exist", async () => {
    const h = await start();
    for (let i = 0; i < 12; i += 1) issued(await h.adapter.issue(sampleIssueRequest("company"))); // C..TAA1..12
    for (const kind of ["increase-adjustment", "decrease-adjustment", "replacement"] as const) {
      expect(issued(await h.adapter.issue(sampleIssueRequest(kind))).invoiceNo).toMatch(/^1[3-5]$/);
    }
    expect(h.simulator.report().sellers["0100109106"]?.series.map((s) => s.issued)).toEqual([15]);
    const missing = sampleIssueRequest("replacement");
    const doc = missing.document;
    if (!doc.correction) throw new Error("replacement without correction");
    missing.document = {
      ...doc,
      correction: { ...doc.correction, original: { ...doc.correction.original, invoiceNo: "99" } },
    };
    expect(failed(await h.adapter.issue(missing))).toMatchObject({
      code: "PROVIDER_VALIDATION",
      providerCode: "ORIGINAL_INVOICE_NOT_FOUND",
    });
  });

  it("refuses locally what SInvoice cannot take, without calling it", async () => {
    const h = await start();
    const request = sampleIssueRequest("company");
    const outcome = await h.adapter.issue({ ...request, idempotencyKey: randomUUID() });
    expect(failed(outcome)).toMatchObject({
      code: "PROVIDER_REQUEST_INVALID",
      verdict: "not-created",
      retriable: false,
    });
    expect(h.simulator.report().counters.createInvoice.requests).toBe(0);
  });

  it("an unregistered series is a permanent configuration failure", async () => {
    const h = await start({ series: { "0100109106": ["1/001|C26TZZ"] } });
    expect(failed(await h.adapter.issue(sampleIssueRequest("company")))).toMatchObject({
      code: "PROVIDER_SERIES_NOT_FOUND",
      verdict: "not-created",
      retriable: false,
    });
  });
});

describe("SInvoice adapter: tokens", () => {
  it("logs in once for 50 concurrent sends, once more when every token is refused", async () => {
    const h = await start({ latency: { kind: "fixed", ms: 20 } });
    const batch = () =>
      Promise.all(Array.from({ length: 50 }, () => h.adapter.issue(sampleIssueRequest("anonymous"))));
    for (const outcome of await batch()) issued(outcome);
    expect(h.simulator.report().counters.login.ok).toBe(1);
    h.simulator.revokeTokens(); // every token the adapter holds is now refused with 401
    for (const outcome of await batch())
      expect(outcome).toMatchObject({ kind: "issued", exchange: { calls: 2 } });
    const report = h.simulator.report();
    expect(report.counters.login.ok).toBe(2);
    expect(report.counters.createInvoice.unauthorized).toBe(50);
    expect(report).toMatchObject({ issued: 100, duplicateKeys: 0 });
  });

  it("one adapter, many merchants: a token per account, each invoice created under its own account", async () => {
    const accounts = {
      "seller-a": "pw-a",
      "seller-b": "pw-b",
    };
    const h = await start({ users: accounts, latency: { kind: "fixed", ms: 10 } });
    const under = (username: keyof typeof accounts) => {
      const request = sampleIssueRequest("anonymous");
      return {
        ...request,
        seller: { ...request.seller, credentials: { username, password: accounts[username] } },
      };
    };
    const requests = Array.from({ length: 20 }, (_, i) => under(i % 2 === 0 ? "seller-a" : "seller-b"));
    const outcomes = await Promise.all(requests.map((r) => h.adapter.issue(r)));
    for (const outcome of outcomes) issued(outcome);
    expect(h.simulator.report().counters.login.ok).toBe(2);
    requests.forEach((request, i) => {
      const [held] = h.simulator.invoices(request.seller.supplierTaxCode, request.idempotencyKey);
      expect(held?.account).toBe(i % 2 === 0 ? "seller-a" : "seller-b");
    });
  });

  it("refreshes a token before it expires (no 401 at all)", async () => {
    const h = await start({ tokenTtlSeconds: 1 });
    issued(await h.adapter.issue(sampleIssueRequest("anonymous")));
    const expiry = Date.now() + 1_000;
    // Token lifetime is time passing, not a condition we could poll the simulator for.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now())));
    issued(await h.adapter.issue(sampleIssueRequest("anonymous")));
    expect(h.simulator.report().counters).toMatchObject({
      login: { ok: 2 },
      createInvoice: { unauthorized: 0 },
    });
  });

  it("after SInvoice's ambiguous HTTP 500 GENERAL it logs in, looks the key up, and only then sends", async () => {
    const h = await start({ expiredTokenStyle: "500-general" });
    issued(await h.adapter.issue(sampleIssueRequest("anonymous")));
    h.simulator.revokeTokens();
    const outcome = await h.adapter.issue(sampleIssueRequest("anonymous"));
    expect(issued(outcome).invoiceNo).toBe("2");
    expect(h.simulator.report().counters).toMatchObject({
      login: { ok: 2 },
      search: { notFound: 1 },
      createInvoice: { unauthorized: 1 },
    });
  });

  it("bad credentials: permanent auth failure, certainly not created", async () => {
    const h = await start({ users: { "0100109106-509": "right-password" } });
    const error = failed(await h.adapter.issue(sampleIssueRequest("company")));
    expect(error).toMatchObject({
      code: "PROVIDER_AUTH_REJECTED",
      verdict: "not-created",
      retriable: false,
      operation: "login",
    });
    expect(h.simulator.report().counters).toMatchObject({
      login: { refused: 1 },
      createInvoice: { requests: 0 },
    });
  });
});

describe("SInvoice adapter: failures and their verdicts", () => {
  it("HTTP 500 is unknown; the simulator created it anyway and a lookup finds it", async () => {
    const h = await start({ errors: { rate: 1, status: 500, createRate: 1 } });
    const request = sampleIssueRequest("company");
    const before = Date.now();
    const error = failed(await h.adapter.issue(request));
    expect(error).toMatchObject({
      code: "PROVIDER_SERVER_ERROR",
      verdict: "unknown",
      retriable: true,
      httpStatus: 500,
    });
    expect(error.resendNotBefore).toBeGreaterThanOrEqual(before + 90_000);
    expect(await h.adapter.lookup(lookupOf(request))).toMatchObject({
      kind: "found",
      invoice: { invoiceNo: "1" },
    });
  });

  it("503 is unknown with a retry time; 429 is not created with a retry time", async () => {
    const h = await start({ errors: { rate: 1, status: 503, retryAfterSeconds: 3 } });
    const now = Date.now();
    expect(failed(await h.adapter.issue(sampleIssueRequest("company")))).toMatchObject({
      code: "PROVIDER_SERVER_ERROR",
      verdict: "unknown",
    });
    h.simulator.configure({ errors: { status: 429 } });
    const limited = failed(await h.adapter.issue(sampleIssueRequest("company")));
    expect(limited).toMatchObject({ code: "PROVIDER_RATE_LIMITED", verdict: "not-created", retriable: true });
    expect(limited.retryAt).toBeGreaterThanOrEqual(now + 3_000);
    expect(h.simulator.report().issued).toBe(0);
  });

  it("client timeout while the simulator holds the request and then creates it: unknown, and a lookup finds it", async () => {
    const h = await start(
      { timeouts: { rate: 1, holdMs: 700, createRate: 1 } },
      { timeouts: { createMs: 250 } },
    );
    const request = sampleIssueRequest("company");
    const error = failed(await h.adapter.issue(request));
    expect(error).toMatchObject({ code: "PROVIDER_TIMEOUT", verdict: "unknown", retriable: true });
    const found = await waitForLookup(h.adapter, lookupOf(request), "found");
    expect(found).toMatchObject({ kind: "found", invoice: { invoiceNo: "1" } });
    expect(h.simulator.report().counters.faults).toMatchObject({ timeouts: 1, timeoutsCreated: 1 });
  });

  it("client timeout while the simulator holds the request and drops it: unknown, the lookup says not found", async () => {
    const h = await start(
      { timeouts: { rate: 1, holdMs: 500, createRate: 0 } },
      { timeouts: { createMs: 200 } },
    );
    const request = sampleIssueRequest("company");
    expect(failed(await h.adapter.issue(request))).toMatchObject({
      code: "PROVIDER_TIMEOUT",
      verdict: "unknown",
    });
    await waitForReport(h, (r) => r.counters.faults.timeouts === 1);
    expect(await h.adapter.lookup(lookupOf(request))).toMatchObject({ kind: "not-found" });
  });

  it("a connection reset mid-request is unknown", async () => {
    const h = await start();
    issued(await h.adapter.issue(sampleIssueRequest("company"))); // token cached
    h.simulator.startOutage({ durationMs: 60_000, mode: "reset" });
    expect(failed(await h.adapter.issue(sampleIssueRequest("company")))).toMatchObject({
      code: "PROVIDER_CONNECTION_LOST",
      verdict: "unknown",
      operation: "createInvoice",
    });
  });

  it("connection refused is certainly not created (at login and at createInvoice)", async () => {
    const h = await start();
    issued(await h.adapter.issue(sampleIssueRequest("company"))); // token cached
    await h.simulator.close();
    // The kept-alive socket the server just closed may still be picked for the next request: that
    // request fails "other side closed", which is honestly unknown (the bytes may have been read).
    const first = failed(await h.adapter.issue(sampleIssueRequest("company")));
    expect([first.code, first.verdict]).toSatisfy(
      ([code, verdict]: string[]) =>
        (code === "PROVIDER_CONNECTION_LOST" && verdict === "unknown") ||
        (code === "PROVIDER_CONNECTION_REFUSED" && verdict === "not-created"),
    );
    expect(failed(await h.adapter.issue(sampleIssueRequest("company")))).toMatchObject({
      code: "PROVIDER_CONNECTION_REFUSED",
      verdict: "not-created",
      retriable: true,
      operation: "createInvoice",
    });
    const fresh = new SInvoiceAdapter({ baseUrl: h.simulator.baseUrl });
    try {
      expect(failed(await fresh.issue(sampleIssueRequest("company")))).toMatchObject({
        code: "PROVIDER_CONNECTION_REFUSED",
        verdict: "not-created",
        operation: "login",
      });
    } finally {
      await fresh.close();
    }
  });

  it("DNS failure is certainly not created", async () => {
    const adapter = new SInvoiceAdapter({
      baseUrl: "http://sinvoice.invalid/services/einvoiceapplication/api",
    });
    try {
      expect(failed(await adapter.issue(sampleIssueRequest("company")))).toMatchObject({
        code: "PROVIDER_DNS_FAILURE",
        verdict: "not-created",
      });
    } finally {
      await adapter.close();
    }
  });
});

describe("SInvoice adapter: asynchronous numbering", () => {
  it("accepted without a number, pending on lookup, then the callback and the lookup give the number", async () => {
    const received: Record<string, unknown>[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const port = (receiver.address() as { port: number }).port;
    try {
      const h = await start(
        { async: { rate: 1, delayMs: 300, callbackUrl: `http://127.0.0.1:${port}/callback` } },
        { asyncLookupAfterMs: 300 },
      );
      const request = sampleIssueRequest("company");
      const before = Date.now();
      const outcome = await h.adapter.issue(request);
      expect(outcome).toMatchObject({ kind: "accepted", idempotencyKey: request.idempotencyKey });
      expect(outcome.kind === "accepted" && outcome.lookupAfter).toBeGreaterThanOrEqual(before + 300);
      expect(await h.adapter.lookup(lookupOf(request))).toMatchObject({ kind: "pending" });
      const callback = await waitForValue(() => received[0], "the numbering callback");
      expect(callback).toMatchObject({
        transactionUuid: request.idempotencyKey,
        invoiceNumber: 1,
        status: "ISSUED",
        supplierTaxCode: "0100109106",
      });
      const found = await waitForLookup(h.adapter, lookupOf(request), "found");
      expect(found.kind === "found" && found.invoice.providerInvoiceNo).toBe(callback.invoiceNo);
      // Sending the key again after acceptance returns the same (now numbered) invoice.
      expect(issued(await h.adapter.issue(request)).invoiceNo).toBe("1");
      expect(h.simulator.report()).toMatchObject({
        issued: 1,
        counters: { async: { accepted: 1, callbacksDelivered: 1 } },
      });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

function waitForValue<T>(probe: () => T | undefined, description: string): Promise<T> {
  return waitFor(() => probe(), { timeoutMs: 10_000, description }) as Promise<T>;
}

function waitForLookup(
  adapter: ProviderAdapter,
  request: ReturnType<typeof lookupOf>,
  kind: LookupOutcome["kind"],
) {
  return waitFor(
    async () => {
      const outcome = await adapter.lookup(request);
      return outcome.kind === kind ? outcome : undefined;
    },
    { timeoutMs: 10_000, description: `lookup ${kind}` },
  );
}

function waitForReport(
  h: { simulator: { report: () => SimulatorReport } },
  ok: (r: SimulatorReport) => boolean,
) {
  return waitFor(() => ok(h.simulator.report()) || undefined, {
    timeoutMs: 10_000,
    description: "simulator report",
  });
}
