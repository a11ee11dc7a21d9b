/**
 * Dates in one provider series (ADR 0020), on the test's own simulator, which refuses a send dated
 * before the series' last invoice as SInvoice does: an invoice paid yesterday and made today (a claim
 * closed the next day, a payment processed late) is dated today and issued after today's invoices,
 * and a send refused for its date is sent again rather than dead-lettered. Each ends with the
 * simulator's listing of the series: numbers in order, dates never going backwards.
 */
import { randomUUID } from "node:crypto";
import { type ExternalIssuanceEvent, vietnamDateOf } from "@invoice/domain";
import { type RunningSimulator, startSimulator } from "@invoice/provider-simulator";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPANY_BUYER,
  eventsOf,
  expectDbMatchesProvider,
  INDIVIDUAL_BUYER,
  type IssuerFixture,
  payment,
  SELLER_TAX_CODE,
  startIssuer,
  uniqueMerchant,
  uniqueOrder,
  waitForEvent,
} from "./support.ts";

const HOUR = 3_600_000;
const DATE_REFUSAL = "INVOICE_ISSUED_DATE_INVALID";

let sim: RunningSimulator;
let issuer: IssuerFixture;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  // Retries come quickly and many: the second test lets the series block a send for a few rounds.
  issuer = await startIssuer({ ISSUER_MAX_SEND_RETRIES: "40", ISSUER_RETRY_MAX_MS: "500" }, sim);
});
afterAll(async () => {
  await issuer?.stop();
  await sim?.close();
});

/** The development seller's series with `suffix` for an invoice dated `date`. */
const seriesOf = (date: string, suffix: string) => `C${date.slice(2, 4)}${suffix}`;
const dateOfMs = (ms: number) => vietnamDateOf(ms);

/** Dates never go backwards in the series' number order, and the numbers run 1..n without gaps. */
function expectSeriesInOrder(series: string) {
  const listed = sim.seriesInvoices(SELLER_TAX_CODE, series);
  expect(listed.map((i) => i.invoiceNumber)).toEqual(listed.map((_, i) => i + 1));
  const dates = listed.map((i) => i.issueDate);
  expect(dates).toEqual([...dates].sort((a, b) => a - b));
  return listed;
}

/** The InvoiceIssued payload of a decoded InvoiceEvent (the Avro union branch unwrapped). */
function payloadOf(value: Record<string, unknown> | undefined) {
  const union = (value?.payload ?? {}) as Record<string, unknown>;
  return Object.values(union)[0] as { invoiceDate: number; invoiceSeries: string };
}

async function issuedAt(orderId: string) {
  const row = await issuer.db.invoice.findFirstOrThrow({ where: { orderId } });
  const [held] = sim.invoices(SELLER_TAX_CODE, row.transactionUuid);
  if (!held) throw new Error(`the simulator holds nothing for ${orderId}`);
  return { row, held };
}

describe("invoice dates in one series (ADR 0020)", () => {
  it("an invoice paid yesterday and made today is dated today and issued after today's invoices", async () => {
    // Today's invoices first: the series' last date is today.
    const today = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.send(payment(today, { buyer: COMPANY_BUYER }));
    await waitForEvent(issuer, today.orderId, "INVOICE_ISSUED");
    const first = await issuedAt(today.orderId);

    // Paid 30 hours ago (a Vietnam date before today's), each made only now:
    // (a) a payment processed late (consumer lag, an outage), with the buyer on it;
    const paidAt = Date.now() - 30 * HOUR;
    const late = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.send(payment(late, { buyer: INDIVIDUAL_BUYER, paidAt }));
    // (b) a claim of a merchant with a 48 h window, submitted today.
    const claimed = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.db.merchantProfile.create({
      data: { merchantId: claimed.merchantId, claimWindowSeconds: 48 * 3600, provider: "sinvoice" },
    });
    await issuer.send(payment(claimed, { paidAt }));
    const claim = await waitFor(
      async () => (await issuer.db.claim.findFirst({ where: { orderId: claimed.orderId } })) ?? undefined,
      { timeoutMs: 60_000, description: "the claim row" },
    );
    const submitted: ExternalIssuanceEvent = {
      eventId: `claim-${randomUUID()}`,
      ...claimed,
      occurredAt: Date.now(),
      type: "ClaimSubmitted",
      payload: { claimToken: claim.token, buyer: COMPANY_BUYER },
    };
    await issuer.send(submitted);

    for (const order of [late, claimed]) {
      await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
      const { row, held } = await issuedAt(order.orderId);
      expect(row.status).toBe("ISSUED");
      // Dated the day it was made, not the sale's day: never before the series' last invoice.
      expect(dateOfMs(held.issueDate) > dateOfMs(paidAt)).toBe(true);
      expect(held.issueDate).toBeGreaterThanOrEqual(first.held.issueDate);
      expect(held.invoiceSeries).toBe(first.held.invoiceSeries);
      expect(held.invoiceNumber).toBeGreaterThan(first.held.invoiceNumber);
      expect(dateOfMs(row.invoiceDate?.getTime() ?? 0)).toBe(dateOfMs(held.issueDate));
      const issued = payloadOf(eventsOf(issuer, order.orderId, "INVOICE_ISSUED")[0]?.value);
      expect(new Date(issued.invoiceDate * 86_400_000).toISOString().slice(0, 10)).toBe(
        dateOfMs(held.issueDate),
      );
      expect(issued.invoiceSeries).toBe(held.invoiceSeries);
      expect(eventsOf(issuer, order.orderId, "INVOICE_FAILED")).toHaveLength(0);
      await expectDbMatchesProvider(issuer, order.orderId);
    }
    expect(issuer.dlq).toHaveLength(0);
    expect(sim.report().counters.refusals[DATE_REFUSAL] ?? 0).toBe(0);
    expectSeriesInOrder(first.held.invoiceSeries);
  });

  it("a send refused for its date (the series is ahead of our clock) is sent again, not dead-lettered", async () => {
    // Another system issued in our series dated tomorrow (a clock ahead): every send of ours dated
    // today is refused for its date until that invoice is gone. A series of its own (suffix TBB), so
    // that the simulator's reset below renumbers nothing the first test's rows hold.
    const now = Date.now();
    const series = seriesOf(dateOfMs(now), "TBB");
    sim.configure({ refuseFutureDates: false });
    const auth = await fetch(sim.authUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "other-system", password: "x" }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const blocker = await fetch(`${sim.baseUrl}/InvoiceAPI/InvoiceWS/createInvoice/${SELLER_TAX_CODE}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `access_token=${auth.access_token}` },
      body: JSON.stringify(otherSystemInvoice(series, now + 24 * HOUR)),
    });
    expect(blocker.status).toBe(200);
    sim.configure({ refuseFutureDates: true });

    const refusedBefore = sim.report().counters.refusals[DATE_REFUSAL] ?? 0;
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await issuer.db.merchantProfile.create({
      data: {
        merchantId: order.merchantId,
        claimWindowSeconds: 0,
        provider: "sinvoice",
        providerConfig: { templateCode: "1/001", invoiceSeries: "TBB" },
      },
    });
    await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    const retries = () =>
      issuer
        .logs("[_handleIssuanceFailure] Scheduling retry")
        .filter((l) => l.orderId === order.orderId && l.errorCode === "PROVIDER_INVOICE_DATE_REFUSED");
    await waitFor(() => retries().length >= 2, {
      timeoutMs: 60_000,
      description: "two retries after refusals for the date",
    });
    expect(sim.report().counters.refusals[DATE_REFUSAL] ?? 0).toBeGreaterThanOrEqual(refusedBefore + 2);
    expect(eventsOf(issuer, order.orderId, "INVOICE_FAILED")).toHaveLength(0);

    // The blocking invoice is gone (the simulator forgets everything): the next retry is issued.
    sim.reset();
    await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");
    const { row, held } = await issuedAt(order.orderId);
    expect(row.status).toBe("ISSUED");
    expect(held.invoiceSeries).toBe(series);
    const attempts = await issuer.db.invoiceIssuance.findMany({
      where: { invoiceId: row.id },
      orderBy: { startedAt: "asc" },
    });
    expect(attempts[0]).toMatchObject({
      outcome: "PERMANENT_FAILURE",
      errorClass: "PROVIDER_INVOICE_DATE_REFUSED",
    });
    expect(attempts.at(-1)?.outcome).toBe("SUCCEEDED");
    expect(eventsOf(issuer, order.orderId, "INVOICE_FAILED")).toHaveLength(0);
    expect(issuer.dlq.filter((r) => r.key?.toString() === order.orderId)).toHaveLength(0);
    await expectDbMatchesProvider(issuer, order.orderId);
    expectSeriesInOrder(series);
  });
});

/** A minimal createInvoice body of another system of the seller's (one 10% line, anonymous buyer). */
function otherSystemInvoice(series: string, issuedAt: number) {
  return {
    generalInvoiceInfo: {
      transactionUuid: randomUUID(),
      templateCode: "1/001",
      invoiceSeries: series,
      currencyCode: "VND",
      paymentStatus: true,
      invoiceIssuedDate: issuedAt,
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
  };
}
