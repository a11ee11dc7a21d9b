/**
 * The claim page in headless Chromium on a 360 px wide phone. End to end: the real issuer opens a
 * claim for a paid order without buyer details, a company claims it through the link in ClaimOpened,
 * and the invoice is issued to that company through the provider simulator. On claims alone: an
 * invalid tax code is caught (with and without JavaScript); an expired claim says so. A screenshot of
 * every step is kept under .artifacts/claims/.
 */
import { existsSync } from "node:fs";
import {
  AMOUNT_VND,
  eventsOf,
  expectDbMatchesProvider,
  payment,
  SELLER_TAX_CODE,
  uniqueMerchant,
  uniqueOrder,
  waitForEvent,
} from "@invoice/issuer/testing";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GENEROUS_LIMITS,
  openClaim,
  type RunningClaims,
  startClaimsApi,
  useClaimsStack,
} from "./support/claims-stack.ts";
import { type IssuerWorld, startIssuerWorld } from "./support/issuer-world.ts";
import { openPhone, type PhoneSession, tabOrder } from "./support/phone-browser.ts";

const env = useClaimsStack("claims_browser");
let api: RunningClaims;
const screenshots: string[] = [];

beforeAll(async () => {
  api = await startClaimsApi(env.stack, { env: GENEROUS_LIMITS });
});
afterAll(async () => {
  await api?.close();
});

const pageUrl = (token: string) => `${api.url}/v1/api/claims/${token}`;

async function withPhone(
  name: string,
  options: { javaScript?: boolean },
  run: (phone: PhoneSession) => Promise<void>,
) {
  const phone = await openPhone(name, options);
  const shot = phone.screenshot;
  phone.screenshot = async (step) => {
    const path = await shot(step);
    screenshots.push(path);
    return path;
  };
  try {
    await run(phone);
  } finally {
    await phone.close();
  }
}

/** Every visible form control has a label; returns the ids of those that do not. */
const unlabelled = (phone: PhoneSession) =>
  phone.page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input:not([type=hidden]), select")]
      .filter((el) => el.offsetParent !== null && (el.labels?.length ?? 0) === 0)
      .map((el) => el.id || el.name),
  );

/** How long the issuance may take on a loaded 2-core machine (issuer, Kafka, simulator, browser). */
const ISSUANCE_DEADLINE_MS = 120_000;

const HOA_SEN = {
  taxCode: "0300588569",
  name: "Công ty TNHH Thương mại Hoa Sen",
  address: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
  email: "ketoan@hoasen.vn",
};

describe("from a paid order to the company's invoice", () => {
  let world: IssuerWorld;
  beforeAll(async () => {
    // The provider answers after 1 s, so the page the browser lands on right after the submission is
    // never raced by the issuance ("received", not yet "issued"); the adapter waits 10-15 s: no retry.
    world = await startIssuerWorld("claims_e2e", { latency: { kind: "fixed", ms: 1_000 } });
  });
  afterAll(async () => {
    await world?.close();
  });

  const simulatorAdmin = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${world.simulator.url}/admin/${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  // Two services, Kafka both ways, the provider and a browser in one test: more than the 60 s default.
  const timeout = ISSUANCE_DEADLINE_MS + 60_000;
  it("a claim the issuer opened is claimed on a phone and invoiced to the company", { timeout }, async () => {
    const order = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await world.issuer.db.merchantProfile.create({
      data: {
        merchantId: order.merchantId,
        displayName: "Cửa hàng Hoa Sen",
        claimWindowSeconds: 86_400,
        provider: "sinvoice",
      },
    });
    await world.issuer.send(payment(order)); // paid, no buyer details: the issuer opens a claim

    const opened = await waitForEvent(world.issuer, order.orderId, "CLAIM_OPENED", ISSUANCE_DEADLINE_MS);
    const { claimToken, claimUrl } = (
      opened.value.payload as Record<string, { claimToken: string; claimUrl: string | null }>
    )["vn.invoice.events.ClaimOpened"] ?? { claimToken: "", claimUrl: null };
    expect(claimUrl).toBe(`${world.linkBaseUrl}${claimToken}`);
    const claim = await world.issuer.db.claim.findFirstOrThrow({ where: { orderId: order.orderId } });
    expect(claim).toMatchObject({ token: claimToken, status: "OPEN" });

    await withPhone("company", { javaScript: true }, async (phone) => {
      const { page } = phone;
      // The link as commerce prints it on the receipt.
      const response = await page.goto(claimUrl as string);
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute("html", "lang")).toBe("vi");
      await expect
        .poll(() => page.evaluate(() => document.documentElement.classList.contains("js")))
        .toBe(true);
      // Fits the phone: nothing wider than the 360 px viewport.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      // The order as the issuer recorded it: the merchant's name, the payment's amount.
      expect(AMOUNT_VND).toBe(330_000);
      expect(await page.textContent(".order")).toContain("Cửa hàng Hoa Sen");
      expect(await page.textContent(".order")).toContain("330.000");
      expect(await unlabelled(phone)).toEqual([]);
      expect(await tabOrder(page)).toEqual([
        "lang",
        "buyerType",
        "taxCode",
        "name",
        "street",
        "provinceCode",
        "communeCode",
        "email",
        "send",
      ]);
      await phone.screenshot("opened");

      // Typed the way phones type: full-width digits, spaces, decomposed Vietnamese marks.
      await page.fill("#taxCode", "０３００ ５８８ ５６９");
      await page.fill("#name", HOA_SEN.name.normalize("NFD"));
      await page.fill("#street", "12 Lê Lợi");
      await page.selectOption("#provinceCode", "79");
      await page.waitForSelector('#communeCode option[value="26740"]', { state: "attached" });
      await page.selectOption("#communeCode", "26740");
      await page.fill("#email", HOA_SEN.email);
      await page.locator("#email").blur();
      expect(await page.isHidden("#taxCode-error")).toBe(true);
      await phone.screenshot("filled");

      await Promise.all([page.waitForURL(/\?lang=vi$/), page.click("#send")]);
      expect(await page.textContent("h1")).toBe("Đã nhận yêu cầu của bạn");
      expect(await page.textContent("main")).not.toContain(HOA_SEN.email);
      await phone.screenshot("confirmation");

      // What claims published for the issuer: the buyer normalised (NFC, digits, the full address).
      const submitted = await waitFor(
        () => world.topic.of("CLAIM_SUBMITTED").find((r) => r.event.orderId === order.orderId)?.event,
        { timeoutMs: ISSUANCE_DEADLINE_MS, description: "ClaimSubmitted on the issuer's topic" },
      );
      expect(submitted).toMatchObject({
        merchantId: order.merchantId,
        payload: { claimToken, buyer: { kind: "COMPANY", ...HOA_SEN } },
      });
      expect(submitted.type === "CLAIM_SUBMITTED" && submitted.payload.buyer.name).toBe(
        HOA_SEN.name.normalize("NFC"),
      );

      // The issuer decides, sends, and the simulator holds one invoice: ours, to that company.
      const issued = await waitFor(
        async () => {
          const row = await world.issuer.db.invoice.findFirst({ where: { orderId: order.orderId } });
          if (row?.status !== "ISSUED") return undefined;
          const report = await simulatorAdmin<{ issued: number; duplicateKeys: number }>("report");
          return report.issued > 0 ? { row, report } : undefined;
        },
        { timeoutMs: ISSUANCE_DEADLINE_MS, description: "the invoice ISSUED here and at the simulator" },
      );
      expect(issued.report).toMatchObject({ issued: 1, duplicateKeys: 0 });
      const held = await simulatorAdmin<{ invoices: unknown[] }>(
        `invoices?supplierTaxCode=${SELLER_TAX_CODE}&transactionUuid=${issued.row.transactionUuid}`,
      );
      expect(held.invoices).toEqual([
        expect.objectContaining({ buyerTaxCode: HOA_SEN.taxCode, buyerLegalName: HOA_SEN.name }),
      ]);
      expect(issued.row).toMatchObject({
        kind: "ORIGINAL",
        buyerNotGetInvoice: false,
        buyerKind: "COMPANY",
        buyerTaxCode: HOA_SEN.taxCode,
        buyerName: HOA_SEN.name,
        buyerAddress: HOA_SEN.address,
      });
      await expectDbMatchesProvider(world.issuer, order.orderId);
      const outcome = await waitForEvent(world.issuer, order.orderId, "INVOICE_ISSUED", ISSUANCE_DEADLINE_MS);
      expect(outcome.value.payload).toMatchObject({
        "vn.invoice.events.InvoiceIssued": {
          buyerKind: "COMPANY",
          transactionUuid: issued.row.transactionUuid,
        },
      });
      expect(eventsOf(world.issuer, order.orderId, "INVOICE_ISSUED")).toHaveLength(1);

      // The buyer opens the link again: the page says the invoice is issued.
      expect((await page.goto(claimUrl as string))?.status()).toBe(200);
      expect(await page.textContent("h1")).toBe("Hóa đơn đã được phát hành");
      expect(await page.locator("form").count()).toBe(0);
      await phone.screenshot("issued");

      // A stale tab posts the form again: 409, and the page still says issued, not "received".
      const again = await page.request.post(claimUrl as string, {
        form: { buyerType: "company", taxCode: HOA_SEN.taxCode, name: HOA_SEN.name, intent: "submit" },
        headers: { accept: "text/html" },
      });
      expect(again.status()).toBe(409);
      const refused = await again.text();
      expect(refused).toContain("Hóa đơn đã được phát hành");
      expect(refused).not.toContain("Đã nhận yêu cầu của bạn");
    });
  });
});

describe("the claim page on a phone, on claims alone", () => {
  it("catches an invalid tax code as it is typed, and before anything is sent", async () => {
    const claim = await openClaim(env.stack.prisma);
    await withPhone("invalid-tax-code-js", { javaScript: true }, async (phone) => {
      const { page } = phone;
      await page.goto(pageUrl(claim.token));
      await page.fill("#taxCode", "0100109107");
      await expect.poll(() => page.isVisible("#taxCode-error")).toBe(true);
      expect(await page.textContent("#taxCode-error")).toContain("chữ số kiểm tra không khớp");
      expect(await page.getAttribute("#taxCode", "aria-invalid")).toBe("true");
      expect(await page.getAttribute("#taxCode", "aria-describedby")).toBe("taxCode-hint taxCode-error");
      await phone.screenshot("typed");

      await page.click("#send");
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("error-summary");
      expect(await page.textContent("#error-summary")).toContain("Mã số thuế");
      expect(page.url()).toBe(pageUrl(claim.token));
      await phone.screenshot("summary");

      await page.fill("#taxCode", "0100109106");
      await expect.poll(() => page.isHidden("#taxCode-error")).toBe(true);
      expect(await page.getAttribute("#taxCode", "aria-invalid")).toBeNull();
    });
    const rows = await env.stack.prisma.$queryRaw<Array<{ status: string }>>`
      SELECT "status"::text AS status FROM "invoice"."Claim" WHERE "id" = ${claim.id}`;
    expect(rows[0]?.status).toBe("OPEN");
  });

  it("works without JavaScript: communes after a round trip, the tax code error from the server", async () => {
    const claim = await openClaim(env.stack.prisma);
    await withPhone("invalid-tax-code-no-js", { javaScript: false }, async (phone) => {
      const { page } = phone;
      await page.goto(`${pageUrl(claim.token)}?lang=en`);
      expect(await page.getAttribute("html", "lang")).toBe("en");
      await page.fill("#taxCode", "0100109107");
      await page.fill("#name", "Hoa Sen Trading Co., Ltd");
      await page.fill("#street", "5 Tràng Tiền");
      await page.selectOption("#provinceCode", "01");
      await page.fill("#email", "ketoan@hoasen.vn");
      expect(await page.locator("#communeCode option").count()).toBe(1);
      await phone.screenshot("province-chosen");

      await Promise.all([page.waitForLoadState("load"), page.click("#refreshCommunes")]);
      await page.waitForSelector('#communeCode option[value="00070"]', { state: "attached" });
      expect(await page.inputValue("#name")).toBe("Hoa Sen Trading Co., Ltd");
      await page.selectOption("#communeCode", "00070");
      await phone.screenshot("communes-listed");

      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.click("#send"),
      ]);
      expect(answer.status()).toBe(400);
      await page.waitForSelector("#taxCode-error:not([hidden])");
      expect(await page.textContent("#taxCode-error")).toContain("check digit does not match");
      expect(await page.getAttribute("#taxCode", "aria-describedby")).toBe("taxCode-hint taxCode-error");
      expect(await page.textContent("#error-summary")).toContain("Tax code");
      expect(await page.inputValue("#communeCode")).toBe("00070");
      expect(await unlabelled(phone)).toEqual([]);
      await phone.screenshot("server-error");
    });
  });

  it("says plainly when the claim has expired", async () => {
    const claim = await openClaim(env.stack.prisma, { deadline: new Date(Date.now() - 60_000) });
    await withPhone("expired", { javaScript: true }, async (phone) => {
      const { page } = phone;
      const response = await page.goto(pageUrl(claim.token));
      expect(response?.status()).toBe(410);
      expect(await page.textContent("h1")).toBe("Đã hết hạn yêu cầu hóa đơn");
      expect(await page.locator("form").count()).toBe(0);
      expect(await page.textContent("main")).toContain("liên hệ người bán");
      await phone.screenshot("expired");
    });
  });

  it("kept a screenshot of every step", () => {
    expect(screenshots).toHaveLength(10);
    for (const path of screenshots) expect(existsSync(path), path).toBe(true);
  });
});
