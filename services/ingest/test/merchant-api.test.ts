/**
 * The merchant REST API against the real stack: JWT refusals, permission gates, merchant scoping on
 * every route, the invoice reads and replay, settings, credentials, webhook endpoints, idempotency keys.
 */
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { connect } from "@invoice/db/testing";
import { uniqueName } from "@invoice/testing";
import { SignJWT } from "jose";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, decodeIssuance, type Ingest, type Jwks, startIngest, startJwks } from "./support.ts";

let ingest: Ingest;
let jwks: Jwks;
let db: pg.Client;
const A = uniqueName("MA");
const B = uniqueName("MB");
const ALL = [
  "invoices:read",
  "invoices:replay",
  "settings:read",
  "settings:write",
  "credentials:write",
  "webhooks:read",
  "webhooks:write",
];
let tokenA: string;
const ids = { failedA: 0n, issuedA: 0n, failedB: 0n };

beforeAll(async () => {
  jwks = await startJwks();
  ingest = await startIngest({ env: { JWKS_URL: jwks.url, JWKS_REFRESH_COOLDOWN_MS: "60000" } });
  db = await connect(ingest.database.url);
  tokenA = await jwks.token({ sub: "user-a", merchant_ids: [A], permissions: ALL });
  let n = BigInt(Date.now()) * 1000n;
  const insert = async (merchantId: string, status: string, createdAt: string) => {
    const id = n++;
    await db.query(
      `INSERT INTO "Invoice" (id, "merchantId", "orderId", status, "sellerTaxCode", "sellerSnapshot", provider,
         "providerConfigSnapshot", "invoiceType", "templateCode", "invoiceSeries", "totalAmountWithoutTax",
         "totalTaxAmount", "totalAmountWithTax", "transactionUuid", "createdAt", "updatedAt", "failureReason")
       VALUES ($1,$2,$3,$4,'0100109106','{}','sinvoice','{}','1','1/001','C26TAA',100000,10000,110000,$5,$6,$6,$7)`,
      [
        id,
        merchantId,
        `ORD-${id}`,
        status,
        randomUUID(),
        createdAt,
        status === "FAILED" ? "PROVIDER_REJECTED" : null,
      ],
    );
    return id;
  };
  ids.failedA = await insert(A, "FAILED", "2026-12-01T01:00:00Z");
  ids.issuedA = await insert(A, "ISSUED", "2026-12-01T02:00:00Z");
  for (let i = 0; i < 3; i++) await insert(A, "ISSUED", `2026-12-01T02:00:00Z`);
  ids.failedB = await insert(B, "FAILED", "2026-12-01T03:00:00Z");
  await db.query(
    `INSERT INTO "InvoiceIssuance" (id, "invoiceId", attempt, operation, provider, "idempotencyKey", "requestPayload", outcome, "errorClass", "startedAt")
     VALUES ($1, $2, 1, 'ISSUE', 'sinvoice', $3, '{"secret":"x"}', 'PERMANENT_FAILURE', 'ProviderError', now())`,
    [n++, ids.failedA, randomUUID()],
  );
  await db.query(
    `INSERT INTO "InvoiceAuditTracing" (id, "invoiceId", "merchantId", "orderId", "eventType", outcome, "toStatus", actor)
     VALUES ($1, $2, $3, 'x', 'PaymentSucceeded', 'APPLIED', 'FAILED', 'issuer')`,
    [n++, ids.failedA, A],
  );
});

afterAll(async () => {
  await db?.end();
  await ingest?.stop();
  await jwks?.close();
});

async function call(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
) {
  const token = options.token === undefined ? tokenA : options.token;
  const response = await fetch(`${ingest.url}/v1/api${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown> & {
      items?: Array<Record<string, unknown>>;
    },
  };
}

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("JWT refusals", () => {
  it("refuses every kind of bad token with 401, WWW-Authenticate and no stack trace", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: "u",
      merchant_ids: [A],
      permissions: ALL,
      iss: "invoice-test-issuer",
      aud: "invoice-test-api",
      exp: now + 600,
    };
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    const hsWithPublicKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: jwks.kid })
      .sign(new TextEncoder().encode(JSON.stringify(jwks.publicJwk)));
    const hsWithX = createHmac("sha256", jwks.publicJwk.x ?? "")
      .update(`${b64({ alg: "HS256", kid: jwks.kid })}.${b64(claims)}`)
      .digest("base64url");
    const { privateKey: rsa } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rs256 = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: jwks.kid }).sign(rsa);
    const cases: Array<[string | null, string]> = [
      [null, "TOKEN_MISSING"],
      ["not-a-jwt", "TOKEN_INVALID"],
      [none, "TOKEN_ALGORITHM_NOT_ALLOWED"],
      [hsWithPublicKey, "TOKEN_ALGORITHM_NOT_ALLOWED"],
      [`${b64({ alg: "HS256", kid: jwks.kid })}.${b64(claims)}.${hsWithX}`, "TOKEN_ALGORITHM_NOT_ALLOWED"],
      [rs256, "TOKEN_ALGORITHM_NOT_ALLOWED"],
      [
        await jwks.token({ sub: "u", merchant_ids: [A], permissions: ALL }, { expiresIn: now - 120 }),
        "TOKEN_EXPIRED",
      ],
      [
        await jwks.token({ sub: "u", merchant_ids: [A], permissions: ALL }, { notBefore: now + 600 }),
        "TOKEN_NOT_YET_VALID",
      ],
      [
        await jwks.token({ sub: "u", merchant_ids: [A], permissions: ALL }, { issuer: "someone-else" }),
        "TOKEN_CLAIM_INVALID",
      ],
      [
        await jwks.token({ sub: "u", merchant_ids: [A], permissions: ALL }, { audience: "other-api" }),
        "TOKEN_CLAIM_INVALID",
      ],
      [await jwks.token({ sub: "u", permissions: ALL }), "TOKEN_CLAIMS_INVALID"],
    ];
    for (const [token, code] of cases) {
      const answer = await call("GET", `/merchants/${A}/invoices`, { token: token === null ? null : token });
      expect(answer.status, code).toBe(401);
      expect(answer.body.code, String(token).slice(0, 40)).toBe(code);
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer realm="invoice-merchant-api"/);
      expect(answer.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
  });

  it("an unknown kid is refused and refreshes the key set at most once per cooldown", async () => {
    const before = jwks.fetches();
    for (let i = 0; i < 5; i++) {
      const token = await jwks.token(
        { sub: "u", merchant_ids: [A], permissions: ALL },
        { kid: uniqueName("rotated") },
      );
      const answer = await call("GET", `/merchants/${A}/invoices`, { token });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe("TOKEN_KEY_UNKNOWN");
    }
    expect(jwks.fetches() - before).toBeLessThanOrEqual(1);
  });

  it("403 when the token lacks the route's permission", async () => {
    const token = await jwks.token({ sub: "u", merchant_ids: [A], permissions: ["settings:read"] });
    const answer = await call("GET", `/merchants/${A}/invoices`, { token });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe("PERMISSION_DENIED");
  });
});

describe("merchant scoping", () => {
  it("merchant A gets 404 on every route for merchant B, and for B's invoice under its own path", async () => {
    const routes: Array<[string, string, unknown?]> = [
      ["GET", `/merchants/${B}/invoices/${ids.failedB}`],
      ["GET", `/merchants/${A}/invoices/${ids.failedB}`],
      ["POST", `/merchants/${B}/invoices/${ids.failedB}/replay`, { reason: "x" }],
      ["POST", `/merchants/${A}/invoices/${ids.failedB}/replay`, { reason: "x" }],
      ["GET", `/merchants/${B}/settings`],
      [
        "PUT",
        `/merchants/${B}/settings`,
        { claimWindowSeconds: 0, provider: "sinvoice", templateCode: "1/001", invoiceSeries: "C26TAA" },
      ],
      ["GET", `/merchants/${B}/provider-credentials/sinvoice`],
      ["PUT", `/merchants/${B}/provider-credentials`, { provider: "sinvoice", username: "u", password: "p" }],
      ["POST", `/merchants/${B}/webhooks`, { url: "http://127.0.0.1:9/hook" }],
      ["POST", `/merchants/${B}/webhooks/1/disable`],
      ["POST", `/merchants/${B}/webhooks/1/rotate-secret`],
      ["GET", `/merchants/${B}/webhooks/1/deliveries`],
    ];
    for (const [method, path, body] of routes) {
      const answer = await call(method, path, { body, headers: { "idempotency-key": uniqueName("k") } });
      expect(answer.status, `${method} ${path}`).toBe(404);
      // The problem's `instance` echoes the path; nothing of the invoice itself may appear.
      expect(answer.text).not.toContain(`ORD-${ids.failedB}`);
      expect(answer.text).not.toContain("PROVIDER_REJECTED");
    }
    // Lists answer empty rather than 404: nothing of B's is in them.
    const list = await call("GET", `/merchants/${B}/invoices`);
    expect(list.body.items).toEqual([]);
    const hooks = await call("GET", `/merchants/${B}/webhooks`);
    expect(hooks.body.items).toEqual([]);
    expect((await db.query(`SELECT 1 FROM "MerchantProfile" WHERE "merchantId" = $1`, [B])).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM "IdempotencyRecord" WHERE "merchantId" <> $1`, [A])).rowCount).toBe(
      0,
    );
  });
});

describe("invoices", () => {
  it("lists newest first with stable cursor pagination and filters", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call("GET", `/merchants/${A}/invoices?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items ?? []).map((i) => String(i.id)));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen.at(-1)).toBe(String(ids.failedA));
    const failed = await call("GET", `/merchants/${A}/invoices?status=FAILED`);
    expect(failed.body.items?.map((i) => i.id)).toEqual([String(ids.failedA)]);
    const range = await call(
      "GET",
      `/merchants/${A}/invoices?from=2026-12-01T01:30:00Z&to=2026-12-01T03:00:00Z`,
    );
    expect(range.body.items).toHaveLength(4);
    const byOrder = await call("GET", `/merchants/${A}/invoices?orderId=ORD-${ids.issuedA}`);
    expect(byOrder.body.items?.map((i) => i.id)).toEqual([String(ids.issuedA)]);
    expect((await call("GET", `/merchants/${A}/invoices?status=NOPE`)).body.code).toBe("SCHEMA_VIOLATION");
    expect((await call("GET", `/merchants/${A}/invoices?cursor=garbage`)).body.code).toBe("CURSOR_INVALID");
  });

  it("one invoice with its issuance attempts and audit trail, never the raw provider payload", async () => {
    const answer = await call("GET", `/merchants/${A}/invoices/${ids.failedA}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: String(ids.failedA),
      status: "FAILED",
      issuanceAttempts: [{ attempt: 1, outcome: "PERMANENT_FAILURE", errorClass: "ProviderError" }],
      auditTrail: [{ eventType: "PaymentSucceeded", outcome: "APPLIED", toStatus: "FAILED" }],
    });
    expect(answer.text).not.toContain('"secret"');
    expect((await call("GET", `/merchants/${A}/invoices/not-a-number`)).status).toBe(404);
  });

  it("replay: 202 publishing ReplayRequested for a FAILED invoice, 409 otherwise; Idempotency-Key same/other body", async () => {
    const key = uniqueName("replay");
    const first = await call("POST", `/merchants/${A}/invoices/${ids.failedA}/replay`, {
      body: { reason: "fixed the series" },
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(202);
    const again = await call("POST", `/merchants/${A}/invoices/${ids.failedA}/replay`, {
      body: { reason: "fixed the series" },
      headers: { "idempotency-key": key },
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const other = await call("POST", `/merchants/${A}/invoices/${ids.failedA}/replay`, {
      body: { reason: "something else" },
      headers: { "idempotency-key": key },
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const notFailed = await call("POST", `/merchants/${A}/invoices/${ids.issuedA}/replay`, {
      body: { reason: "x" },
    });
    expect(notFailed.status).toBe(409);

    const orderId = `ORD-${ids.failedA}`;
    const records = await collect(["invoice.issuance"], (rs) =>
      rs.some((r) => r.key?.toString() === orderId),
    );
    const mine = records.filter((r) => r.key?.toString() === orderId);
    expect(mine).toHaveLength(1);
    expect(await decodeIssuance(mine[0] as never)).toMatchObject({
      eventId: first.body.eventId,
      type: "REPLAY_REQUESTED",
      merchantId: A,
      payload: {
        "vn.invoice.issuance.ReplayRequested": {
          reason: "fixed the series",
          requestedBy: "merchant-api:user-a",
        },
      },
    });
  });
});

describe("settings and credentials", () => {
  it("updates and reads settings; the series is checked with parseInvoiceSymbol", async () => {
    const bad = await call("PUT", `/merchants/${A}/settings`, {
      body: {
        claimWindowSeconds: 3600,
        provider: "sinvoice",
        templateCode: "1/001",
        invoiceSeries: "C26NAA",
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { path: "body.invoiceSeries", message: "invalid invoice symbol: KIND_TEMPLATE_MISMATCH" },
    ]);
    const saved = await call("PUT", `/merchants/${A}/settings`, {
      body: {
        claimWindowSeconds: 3600,
        provider: "sinvoice",
        templateCode: "1/001",
        invoiceSeries: "c26taa",
      },
    });
    expect(saved.status).toBe(200);
    expect((await call("GET", `/merchants/${A}/settings`)).body).toMatchObject({
      claimWindowSeconds: 3600,
      invoiceSeries: "C26TAA",
      templateCode: "1/001",
    });
  });

  it("stores provider credentials sealed; answers only a fingerprint", async () => {
    const password = `pw-${uniqueName("secret")}`;
    const saved = await call("PUT", `/merchants/${A}/provider-credentials`, {
      body: { provider: "sinvoice", username: "api-user", password },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      provider: "sinvoice",
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(saved.text).not.toContain(password);
    const read = await call("GET", `/merchants/${A}/provider-credentials/sinvoice`);
    expect(read.body.fingerprint).toBe(saved.body.fingerprint);
    const rows = await db.query(
      `SELECT ciphertext, "keyId", fingerprint FROM "ProviderCredential" WHERE "merchantId" = $1`,
      [A],
    );
    expect(rows.rows).toHaveLength(1);
    expect(Buffer.from(rows.rows[0].ciphertext).toString("utf8")).not.toContain(password);
    const profile = await db.query(
      `SELECT "providerCredentialId" FROM "MerchantProfile" WHERE "merchantId" = $1`,
      [A],
    );
    expect(profile.rows[0].providerCredentialId).not.toBeNull();
  });
});

describe("webhook endpoints", () => {
  it("add (secret once), list (no secret), rotate, disable; an existing URL is 409", async () => {
    const created = await call("POST", `/merchants/${A}/webhooks`, {
      body: { url: "http://127.0.0.1:9/hooks", eventTypes: ["invoice.issued"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(
      (await call("POST", `/merchants/${A}/webhooks`, { body: { url: "http://127.0.0.1:9/hooks" } })).status,
    ).toBe(409);
    const list = await call("GET", `/merchants/${A}/webhooks`);
    expect(list.text).not.toContain(String(created.body.secret));
    expect(list.body.items?.map((w) => w.id)).toContain(created.body.id);
    const rotated = await call("POST", `/merchants/${A}/webhooks/${created.body.id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(rotated.body.previousSecretExpiresAt).toEqual(expect.any(String));
    const disabled = await call("POST", `/merchants/${A}/webhooks/${created.body.id}/disable`);
    expect(disabled.body.enabled).toBe(false);
    expect((await call("GET", `/merchants/${A}/webhooks/${created.body.id}/deliveries`)).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
