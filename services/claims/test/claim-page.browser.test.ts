/**
 * The claim page in headless Chromium on a 360 px wide phone: a company claims its invoice; an invalid
 * tax code is caught (with and without JavaScript); an expired claim says so. A screenshot of every
 * step is kept under .artifacts/claims/.
 *
 * Extension point for the end-to-end flow (issuer + provider simulator, a later issue): the company
 * case ends with `submittedEvent`, the ClaimSubmitted record the issuer consumes; a test that also runs
 * the issuer against the simulator continues from there and waits for InvoiceIssued to that buyer.
 */
import { existsSync } from "node:fs";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GENEROUS_LIMITS,
  openClaim,
  type RunningClaims,
  startClaimsApi,
  useClaimsStack,
} from "./support/claims-stack.ts";
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

describe("the claim page on a phone", () => {
  it("lets a company claim its invoice, and the normalised buyer goes to the issuer", async () => {
    const claim = await openClaim(env.stack.prisma, { amountVnd: 2_450_000 });
    await withPhone("company", { javaScript: true }, async (phone) => {
      const { page } = phone;
      const response = await page.goto(pageUrl(claim.token));
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute("html", "lang")).toBe("vi");
      await expect
        .poll(() => page.evaluate(() => document.documentElement.classList.contains("js")))
        .toBe(true);
      // Fits the phone: nothing wider than the 360 px viewport.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(await page.textContent(".order")).toContain("2.450.000");
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
      await page.fill("#taxCode", "０１００ １０９ １０６");
      await page.fill("#name", "Công ty TNHH Thương mại Hoa Sen".normalize("NFD"));
      await page.fill("#street", "12 Lê Lợi");
      await page.selectOption("#provinceCode", "79");
      await page.waitForSelector('#communeCode option[value="26740"]', { state: "attached" });
      await page.selectOption("#communeCode", "26740");
      await page.fill("#email", "ketoan@hoasen.vn");
      await page.locator("#email").blur();
      expect(await page.isHidden("#taxCode-error")).toBe(true);
      await phone.screenshot("filled");

      await Promise.all([page.waitForURL(/\?lang=vi$/), page.click("#send")]);
      expect(await page.textContent("h1")).toBe("Đã nhận yêu cầu của bạn");
      expect(await page.textContent("main")).not.toContain("ketoan@hoasen.vn");
      await phone.screenshot("confirmation");
    });

    const submittedEvent = await waitFor(
      () => env.topic.of("CLAIM_SUBMITTED").find((r) => r.event.orderId === claim.orderId)?.event,
      { description: "ClaimSubmitted on the topic" },
    );
    expect(submittedEvent).toMatchObject({
      merchantId: claim.merchantId,
      payload: {
        claimToken: claim.token,
        buyer: {
          kind: "COMPANY",
          taxCode: "0100109106",
          name: "Công ty TNHH Thương mại Hoa Sen",
          address: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
          email: "ketoan@hoasen.vn",
        },
      },
    });
    expect(submittedEvent.type === "CLAIM_SUBMITTED" && submittedEvent.payload.buyer.name).toBe(
      "Công ty TNHH Thương mại Hoa Sen".normalize("NFC"),
    );
  });

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
    expect(screenshots).toHaveLength(9);
    for (const path of screenshots) expect(existsSync(path), path).toBe(true);
  });
});
