/** Every answer of the claims API against the real stack (PostgreSQL, Redis, Kafka, the registry). */
import { randomUUID } from "node:crypto";
import { waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimSubmittedEventId } from "../src/core/claim-events.ts";
import {
  GENEROUS_LIMITS,
  openClaim,
  type RunningClaims,
  startClaimsApi,
  useClaimsStack,
} from "./support/claims-stack.ts";

const env = useClaimsStack("claims_api");
let api: RunningClaims;

beforeAll(async () => {
  api = await startClaimsApi(env.stack, { env: GENEROUS_LIMITS });
});
afterAll(async () => {
  await api?.close();
});

const COMPANY = {
  buyerType: "company",
  taxCode: "0100109106",
  name: "Công ty TNHH Hoa Sen",
  street: "12 Lê Lợi",
  provinceCode: "79",
  communeCode: "26740",
  email: "ketoan@hoasen.vn",
};

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const claimUrl = (token: string, suffix = "") => `${api.url}/v1/api/claims/${token}${suffix}`;
const getJson = (url: string) => fetch(url, { headers: { accept: "application/json" } });

async function problem(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return (await response.json()) as Record<string, unknown>;
}

async function claimRow(id: bigint) {
  const rows = await env.stack.prisma.$queryRaw<
    Array<{ status: string; eventPublishedAt: Date | null; submission: unknown; publishAttempts: number }>
  >`SELECT "status"::text AS status, "eventPublishedAt", "submission", "publishAttempts" FROM "invoice"."Claim" WHERE "id" = ${id}`;
  return rows[0];
}

describe("GET /v1/api/claims/{token}", () => {
  it("shows an open claim's merchant, order date, amount and deadline, and nothing else", async () => {
    const paidAt = new Date("2026-11-30T17:30:00.000Z"); // 1 Dec 2026 00:30 in Vietnam
    const claim = await openClaim(env.stack.prisma, { amountVnd: 1_250_000, paidAt });
    const response = await getJson(claimUrl(claim.token));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const body = await response.json();
    expect(body).toEqual({
      status: "open",
      merchant: { name: "Cửa hàng Hoa Sen" },
      order: { amountVnd: 1_250_000, paidAt: paidAt.toISOString(), orderDate: "2026-12-01" },
      deadline: claim.deadline.toISOString(),
      links: {
        claim: `http://127.0.0.1:31141/v1/api/claims/${claim.token}`,
        qrSvg: `/v1/api/claims/${claim.token}/qr.svg`,
        qrPng: `/v1/api/claims/${claim.token}/qr.png`,
      },
    });
    expect(JSON.stringify(body)).not.toContain(claim.orderId);
  });

  it("serves the page to browsers, in Vietnamese unless English is asked for", async () => {
    const claim = await openClaim(env.stack.prisma);
    const page = await fetch(claimUrl(claim.token), { headers: { accept: "text/html,*/*;q=0.8" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const vi = await page.text();
    expect(vi).toContain('<html lang="vi">');
    expect(vi).toContain("Mã số thuế");
    expect(vi).toContain("1.250.000");
    const en = await (
      await fetch(claimUrl(claim.token, "?lang=en"), { headers: { accept: "text/html" } })
    ).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain("Tax code");
    const negotiated = await fetch(claimUrl(claim.token), {
      headers: { accept: "text/html", "accept-language": "en-US,en;q=0.9,vi;q=0.5" },
    });
    expect(await negotiated.text()).toContain('<html lang="en">');
  });

  it("answers an unknown and a malformed token the same way", async () => {
    const answers = [];
    for (const token of [randomUUID(), "not-a-token", `${randomUUID()}x`, "%00", "%E0%A4%A"]) {
      const response = await getJson(claimUrl(token));
      const body = await problem(response);
      answers.push({ status: response.status, body: { ...body, requestId: undefined } });
    }
    expect(answers[0]).toEqual({
      status: 404,
      body: expect.objectContaining({ code: "CLAIM_NOT_FOUND", instance: "/v1/api/claims/{token}" }),
    });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it("says plainly when the deadline has passed (410), whether or not the worker has run", async () => {
    const claim = await openClaim(env.stack.prisma, { deadline: new Date(Date.now() - 1_000) });
    const response = await getJson(claimUrl(claim.token));
    expect(response.status).toBe(410);
    expect(await problem(response)).toMatchObject({
      code: "CLAIM_EXPIRED",
      deadline: claim.deadline.toISOString(),
    });
    const page = await fetch(claimUrl(claim.token), { headers: { accept: "text/html" } });
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("Đã hết hạn yêu cầu hóa đơn");
  });

  it("answers 410 CLAIM_CLOSED once the issuer closed the claim for another reason", async () => {
    const claim = await openClaim(env.stack.prisma);
    await env.stack.prisma
      .$executeRaw`UPDATE "invoice"."Claim" SET "status" = 'CANCELLED', "closedReason" = 'REFUNDED', "closedAt" = now() WHERE "id" = ${claim.id}`;
    const response = await getJson(claimUrl(claim.token));
    expect(response.status).toBe(410);
    expect(await problem(response)).toMatchObject({ code: "CLAIM_CLOSED" });
    expect((await fetch(claimUrl(claim.token), json(COMPANY))).status).toBe(410);
  });
});

describe("POST /v1/api/claims/{token}", () => {
  it("accepts a valid submission (202), publishes ClaimSubmitted keyed by orderId with the normalised buyer", async () => {
    const claim = await openClaim(env.stack.prisma);
    const response = await fetch(
      claimUrl(claim.token),
      json({
        ...COMPANY,
        taxCode: "０１００ １０９ １０６",
        name: " Công ty TNHH  Hoa Sen ".normalize("NFD"),
      }),
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as { submissionId: string; buyer: unknown };
    expect(body.buyer).toEqual({
      kind: "company",
      taxCode: "0100109106",
      name: "Công ty TNHH Hoa Sen",
      address: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
      email: "ketoan@hoasen.vn",
    });
    const seen = await waitFor(() => env.topic.records.find((r) => r.event.orderId === claim.orderId), {
      description: "ClaimSubmitted on the topic",
    });
    expect(seen.record.key?.toString()).toBe(claim.orderId);
    expect(seen.record.headers.eventId).toBe(claimSubmittedEventId(claim.token, body.submissionId));
    expect(seen.event).toMatchObject({
      eventId: claimSubmittedEventId(claim.token, body.submissionId),
      merchantId: claim.merchantId,
      type: "CLAIM_SUBMITTED",
      source: "claims/api",
      payload: {
        claimToken: claim.token,
        buyer: {
          kind: "COMPANY",
          name: "Công ty TNHH Hoa Sen",
          taxCode: "0100109106",
          personalId: null,
          address: "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
          email: "ketoan@hoasen.vn",
          phone: null,
        },
      },
    });
    await waitFor(async () => (await claimRow(claim.id))?.eventPublishedAt !== null, {
      description: "the acknowledgement recorded",
    });
    expect(await claimRow(claim.id)).toMatchObject({ status: "SUBMITTED", publishAttempts: 1 });
    const after = await (await getJson(claimUrl(claim.token))).json();
    expect(after).toMatchObject({ status: "submitted", submission: { outcome: "pending" } });
  });

  it("refuses a second submission (409) and publishes nothing more", async () => {
    const claim = await openClaim(env.stack.prisma);
    const answers = await Promise.all([
      fetch(claimUrl(claim.token), json(COMPANY)),
      fetch(claimUrl(claim.token), json({ ...COMPANY, name: "Công ty Khác" })),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const conflict = answers.find((a) => a.status === 409) as Response;
    expect(await problem(conflict)).toMatchObject({ code: "CLAIM_ALREADY_SUBMITTED" });
    expect((await fetch(claimUrl(claim.token), json(COMPANY))).status).toBe(409);
    await waitFor(() => env.topic.records.some((r) => r.event.orderId === claim.orderId));
    // A fresh claim published after this one proves the topic was read past any duplicate.
    const marker = await openClaim(env.stack.prisma);
    expect((await fetch(claimUrl(marker.token), json(COMPANY))).status).toBe(202);
    await waitFor(() => env.topic.records.some((r) => r.event.orderId === marker.orderId));
    expect(env.topic.records.filter((r) => r.event.orderId === claim.orderId)).toHaveLength(1);
  });

  it("answers invalid fields with 400 and field errors in Vietnamese and English", async () => {
    const claim = await openClaim(env.stack.prisma);
    const response = await fetch(
      claimUrl(claim.token),
      json({ ...COMPANY, taxCode: "0100109107", email: "ketoan@" }),
    );
    expect(response.status).toBe(400);
    const body = await problem(response);
    expect(body).toMatchObject({ code: "CLAIM_INVALID_FIELDS", detail: "Thông tin chưa hợp lệ." });
    expect(body.errors).toEqual([
      {
        field: "taxCode",
        code: "TAX_CODE_INVALID_CHECK_DIGIT",
        message: { vi: expect.stringContaining("Mã số thuế"), en: expect.stringContaining("tax code") },
      },
      { field: "email", code: "INVALID_EMAIL", message: { vi: expect.any(String), en: expect.any(String) } },
    ]);
    expect(await claimRow(claim.id)).toMatchObject({ status: "OPEN" });
  });

  it("refuses a submission after the deadline (410) even before the worker expired the claim", async () => {
    const claim = await openClaim(env.stack.prisma, { deadline: new Date(Date.now() - 1) });
    const response = await fetch(claimUrl(claim.token), json(COMPANY));
    expect(response.status).toBe(410);
    expect(await problem(response)).toMatchObject({ code: "CLAIM_EXPIRED" });
    expect(await claimRow(claim.id)).toMatchObject({ status: "OPEN" });
  });

  it("refuses media types other than JSON and HTML forms (415), and unreadable JSON (400)", async () => {
    const claim = await openClaim(env.stack.prisma);
    const text = await fetch(claimUrl(claim.token), {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(text.status).toBe(415);
    const broken = await fetch(claimUrl(claim.token), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(broken.status).toBe(400);
    expect(await claimRow(claim.id)).toMatchObject({ status: "OPEN" });
  });
});

describe("the HTML form", () => {
  const form = (fields: Record<string, string>): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });

  it("redirects a valid post to the page (303), which then says what happens next", async () => {
    const claim = await openClaim(env.stack.prisma);
    const response = await fetch(claimUrl(claim.token), form({ ...COMPANY, intent: "submit", lang: "en" }));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/v1/api/claims/${claim.token}?lang=en`);
    const page = await fetch(new URL(response.headers.get("location") ?? "", api.url), {
      headers: { accept: "text/html" },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Your request has been received");
  });

  it("answers a second post (a stale tab) with what became of the first submission, not 'received'", async () => {
    const claim = await openClaim(env.stack.prisma);
    expect((await fetch(claimUrl(claim.token), json(COMPANY))).status).toBe(202);
    // The issuer decided the order on details from checkout that reached it first (superseded).
    await env.stack.prisma.$executeRaw`
      UPDATE "invoice"."Claim" SET "closedReason" = 'REQUESTED', "closedAt" = now() WHERE "id" = ${claim.id}`;
    const shown = await fetch(claimUrl(claim.token), { headers: { accept: "text/html" } });
    expect(await shown.text()).toContain("Yêu cầu đã được chuyển cho người bán");

    const again = await fetch(claimUrl(claim.token), form({ ...COMPANY, intent: "submit" }));
    expect(again.status).toBe(409);
    const page = await again.text();
    expect(page).toContain("Yêu cầu đã được chuyển cho người bán");
    // "The invoice will be made out with the details you sent" would be untrue here.
    expect(page).not.toContain("Đã nhận yêu cầu của bạn");
    const asJson = await fetch(claimUrl(claim.token), json(COMPANY));
    expect(asJson.status).toBe(409);
    expect(await problem(asJson)).toMatchObject({
      code: "CLAIM_ALREADY_SUBMITTED",
      detail: "Yêu cầu đã được chuyển cho người bán",
    });
    // Counted as what they are, whatever the page says.
    const metrics = await api.registry.metrics();
    expect(metrics).toContain(
      'invoice_claim_submissions_total{outcome="already_submitted",service="claims"}',
    );
    expect(metrics).not.toContain('outcome="superseded"');
  });

  it("refuses a form over the body limit (413) without echoing the token", async () => {
    const claim = await openClaim(env.stack.prisma);
    const response = await fetch(claimUrl(claim.token), form({ ...COMPANY, street: "x".repeat(70_000) }));
    expect(response.status).toBe(413);
    expect(await problem(response)).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      instance: "/v1/api/claims/{token}",
    });
  });

  it("shows the chosen province's communes after a round trip, keeping what was typed", async () => {
    const claim = await openClaim(env.stack.prisma);
    const response = await fetch(
      claimUrl(claim.token),
      form({ ...COMPANY, communeCode: "", provinceCode: "01", intent: "communes" }),
    );
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<option value="00004">Phường Ba Đình</option>');
    expect(page).not.toContain("Phường Sài Gòn");
    expect(page).toContain('value="Công ty TNHH Hoa Sen"');
    expect(await claimRow(claim.id)).toMatchObject({ status: "OPEN" });
  });

  it("shows errors next to their fields, tied with aria-describedby, and escapes what was typed", async () => {
    const claim = await openClaim(env.stack.prisma);
    const response = await fetch(
      claimUrl(claim.token),
      form({ ...COMPANY, taxCode: "0100109107", name: `<script>alert(1)</script>`, intent: "submit" }),
    );
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('aria-describedby="taxCode-hint taxCode-error" aria-invalid="true"');
    expect(page).toMatch(/<p class="error" id="taxCode-error">Mã số thuế không đúng/);
    expect(page).toContain('<a href="#taxCode">');
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("QR codes and reference data", () => {
  it("draws the claim link as SVG and PNG, only for claims that exist", async () => {
    const claim = await openClaim(env.stack.prisma);
    const svg = await fetch(claimUrl(claim.token, "/qr.svg"));
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg/);
    const png = await fetch(claimUrl(claim.token, "/qr.png"));
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    expect((await fetch(claimUrl(randomUUID(), "/qr.png"))).status).toBe(404);
    expect((await fetch(claimUrl(claim.token, "/other"))).status).toBe(404);
  });

  it("lists the 34 provinces and a province's communes from the seeded units", async () => {
    const provinces = (await (await getJson(`${api.url}/v1/api/administrative-units/provinces`)).json()) as {
      provinces: unknown[];
    };
    expect(provinces.provinces).toHaveLength(34);
    const hanoi = (await (await getJson(`${api.url}/v1/api/administrative-units/01/communes`)).json()) as {
      province: unknown;
      communes: Array<{ code: string; name: string }>;
    };
    expect(hanoi.province).toEqual({ code: "01", name: "Thành phố Hà Nội" });
    expect(hanoi.communes).toHaveLength(126);
    expect(hanoi.communes).toContainEqual({ code: "00004", name: "Phường Ba Đình" });
    expect((await getJson(`${api.url}/v1/api/administrative-units/99/communes`)).status).toBe(404);
  });
});

describe("token secrecy", () => {
  it("never writes a token into logs or metrics", async () => {
    const claim = await openClaim(env.stack.prisma);
    await getJson(claimUrl(claim.token));
    await fetch(claimUrl(claim.token), json({ ...COMPANY, taxCode: "bad" }));
    await fetch(claimUrl(claim.token), json(COMPANY));
    await fetch(claimUrl(claim.token, "/qr.svg"));
    await fetch(claimUrl(claim.token, "/nothing/here"));
    const malformed = `${claim.token.slice(0, 30)}zzzzzz`;
    await getJson(claimUrl(malformed));
    await waitFor(() => api.logs.lines.some((l) => l.includes('"claim submission accepted"')));
    const logs = api.logs.lines.join("\n");
    expect(logs).toContain('"path":"/v1/api/claims/{token}"');
    expect(logs).not.toContain(claim.token);
    expect(logs).not.toContain(claim.token.slice(0, 30));
    const metrics = await api.registry.metrics();
    expect(metrics).toContain('invoice_claim_submissions_total{outcome="accepted",service="claims"}');
    expect(metrics).not.toContain(claim.token.slice(0, 8));
    const keys = await env.stack.redis.keys(`${env.stack.redisPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(" ")).not.toContain(claim.token.slice(0, 8));
  });
});
