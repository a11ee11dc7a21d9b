/**
 * Each merchant's invoices are created under its own provider account: the credential the merchant
 * API stored (ProviderCredential, sealed), opened by the real issuer with its keyring. The test's
 * own simulator knows the accounts and records which one created each invoice. Outside production a
 * merchant without a credential is issued under the configured account; in production it is not
 * issued at all (PROVIDER_CREDENTIAL_MISSING: the invoice FAILS, the record goes to the DLQ, the
 * issuer keeps serving the other merchants).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createKeyring, type ProviderAccount, sealProviderCredential } from "@invoice/crypto";
import type { PrismaClient } from "@invoice/db";
import type { ExternalIssuanceEvent } from "@invoice/domain";
import { type RunningSimulator, startSimulator } from "@invoice/provider-simulator";
import { freePort, waitFor } from "@invoice/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMPANY_BUYER,
  eventsOf,
  expectDbMatchesProvider,
  type IssuerFixture,
  payment,
  SELLER_TAX_CODE,
  stack,
  startIssuer,
  uniqueMerchant,
  uniqueOrder,
  waitForEvent,
} from "./support.ts";

const KEY = randomBytes(32).toString("hex");
const keyring = createKeyring(Buffer.from(KEY, "hex"));
const FALLBACK = { username: "0100109106-509", password: "simulator-password" };
const ACCOUNTS: Record<string, string> = {
  "seller-a": "pw-a",
  "seller-b": "pw-b",
  "seller-d": "pw-d",
  "seller-f": "pw-f",
  [FALLBACK.username]: FALLBACK.password,
};

let sim: RunningSimulator;
let issuer: IssuerFixture;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, config: { users: ACCOUNTS } });
  // A long credential TTL: a changed password is picked up by the invalidation after a refused
  // login, not by the cache running out.
  issuer = await startIssuer(
    {
      APP_ENV_INVOICE_CREDENTIALS_KEY: KEY,
      ISSUER_DEFAULT_CLAIM_WINDOW_MS: "0",
      ISSUER_CREDENTIAL_CACHE_TTL_MS: "600000",
    },
    sim,
  );
});
afterAll(async () => {
  await issuer?.stop();
  await sim?.close();
});

let nextId = 0n;
/** What the merchant API's PUT /merchants/{id}/provider-credentials writes (same sealing, same row). */
async function storeCredential(db: PrismaClient, merchantId: string, account: ProviderAccount) {
  const sealed = sealProviderCredential(account, keyring, merchantId);
  const fields = {
    keyId: sealed.keyId,
    iv: Buffer.from(sealed.iv, "base64"),
    tag: Buffer.from(sealed.tag, "base64"),
    ciphertext: Buffer.from(sealed.ciphertext, "base64"),
  };
  const existing = await db.providerCredential.findFirst({ where: { merchantId, provider: "sinvoice" } });
  if (existing) return db.providerCredential.update({ where: { id: existing.id }, data: fields });
  nextId += 1n;
  const id = BigInt(Date.now()) * 1000n + nextId;
  const row = await db.providerCredential.create({
    data: { id, merchantId, provider: "sinvoice", label: "sinvoice (merchant API)", ...fields },
  });
  await db.merchantProfile.upsert({
    where: { merchantId },
    create: { merchantId, claimWindowSeconds: 0, provider: "sinvoice", providerCredentialId: id },
    update: { providerCredentialId: id },
  });
  return row;
}

/** The account that created the order's invoice at the provider. */
async function accountOf(fixture: IssuerFixture, orderId: string) {
  const row = await fixture.db.invoice.findFirstOrThrow({ where: { orderId } });
  const held = sim.invoices(SELLER_TAX_CODE, row.transactionUuid);
  expect(held).toHaveLength(1);
  return held[0]?.account;
}

const failureOf = (fixture: IssuerFixture, orderId: string) => {
  const failed = eventsOf(fixture, orderId, "INVOICE_FAILED")[0]?.value.payload as
    | Record<string, { errorCode: string; reason: string }>
    | undefined;
  return failed ? Object.values(failed)[0] : undefined;
};

describe("provider accounts per merchant", () => {
  it("two merchants with different stored credentials: each invoice is created under its merchant's account", async () => {
    const a = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    const b = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    const c = { orderId: uniqueOrder(), merchantId: uniqueMerchant() }; // none stored: the fallback
    await storeCredential(issuer.db, a.merchantId, { username: "seller-a", password: "pw-a" });
    await storeCredential(issuer.db, b.merchantId, { username: "seller-b", password: "pw-b" });
    const loginsBefore = sim.report().counters.login.ok;
    for (const order of [a, b, c]) await issuer.send(payment(order, { buyer: COMPANY_BUYER }));
    for (const order of [a, b, c]) await waitForEvent(issuer, order.orderId, "INVOICE_ISSUED");

    expect(await accountOf(issuer, a.orderId)).toBe("seller-a");
    expect(await accountOf(issuer, b.orderId)).toBe("seller-b");
    expect(await accountOf(issuer, c.orderId)).toBe(FALLBACK.username);
    const series = sim.report().sellers[SELLER_TAX_CODE]?.series ?? [];
    const accounts = Object.assign({}, ...series.map((s) => s.accounts)) as Record<string, number>;
    expect(accounts["seller-a"]).toBeGreaterThanOrEqual(1);
    expect(accounts["seller-b"]).toBeGreaterThanOrEqual(1);
    // One login per account (the adapter's token cache is per account), not one per send.
    expect(sim.report().counters.login.ok - loginsBefore).toBeLessThanOrEqual(3);
    for (const order of [a, b, c]) await expectDbMatchesProvider(issuer, order.orderId);
  });

  it("a wrong stored password fails the send (PROVIDER_AUTH_REJECTED); once fixed, a replay issues it under that account", async () => {
    const d = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await storeCredential(issuer.db, d.merchantId, { username: "seller-d", password: "wrong" });
    await issuer.send(payment(d, { buyer: COMPANY_BUYER }));
    await waitForEvent(issuer, d.orderId, "INVOICE_FAILED");
    expect(failureOf(issuer, d.orderId)?.errorCode).toBe("PROVIDER_AUTH_REJECTED");
    await waitFor(() => issuer.dlq.find((r) => r.key?.toString() === d.orderId), {
      timeoutMs: 60_000,
      description: "the DLQ record",
    });

    await storeCredential(issuer.db, d.merchantId, { username: "seller-d", password: "pw-d" });
    const replay: ExternalIssuanceEvent = {
      eventId: `replay-${randomUUID()}`,
      ...d,
      occurredAt: Date.now(),
      type: "ReplayRequested",
      payload: { reason: "provider credential fixed", requestedBy: "ops@test" },
    };
    await issuer.send(replay);
    await waitForEvent(issuer, d.orderId, "INVOICE_ISSUED");
    expect(await accountOf(issuer, d.orderId)).toBe("seller-d");
    await expectDbMatchesProvider(issuer, d.orderId);
  });
});

describe("provider accounts in production", () => {
  let prod: IssuerFixture;
  beforeAll(async () => {
    prod = await startIssuer(
      {
        APP_ENV: "production",
        APP_ENV_INVOICE_WORKER_ID: "7",
        PORT: String(await freePort()),
        REDIS_URL: stack.redisUrl,
        CLAIMS_LINK_BASE_URL: "https://hoadon.example.vn/c/",
        APP_ENV_INVOICE_CREDENTIALS_KEY: KEY,
        ISSUER_DEFAULT_CLAIM_WINDOW_MS: "0",
      },
      sim,
    );
  });
  afterAll(async () => {
    await prod?.stop();
  });

  /** Production has no development seller: the merchant's tax info as cdc-sync writes it. */
  const taxInfo = (merchantId: string) =>
    prod.db.taxInfo.create({
      data: {
        merchantId,
        taxCode: SELLER_TAX_CODE,
        legalName: "Công ty Cổ phần Thương mại Sông Hồng",
        address: "Số 1 Giang Văn Minh, Phường Ba Đình, Hà Nội",
        sourceLsn: 1n,
        sourceEventAt: new Date(),
        syncedAt: new Date(),
      },
    });

  it("a merchant without a stored credential is not issued (PROVIDER_CREDENTIAL_MISSING, FAILED, DLQ); the next merchant is", async () => {
    const e = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    const f = { orderId: uniqueOrder(), merchantId: uniqueMerchant() };
    await taxInfo(e.merchantId);
    await taxInfo(f.merchantId);
    await storeCredential(prod.db, f.merchantId, { username: "seller-f", password: "pw-f" });
    const createdBefore = sim.report().counters.createInvoice.requests;
    await prod.send(payment(e, { buyer: COMPANY_BUYER }));
    await waitForEvent(prod, e.orderId, "INVOICE_FAILED");
    expect(failureOf(prod, e.orderId)?.errorCode).toBe("PROVIDER_CREDENTIAL_MISSING");
    const row = await prod.db.invoice.findFirstOrThrow({ where: { orderId: e.orderId } });
    expect(row.status).toBe("FAILED");
    expect(row.failureReason).toContain("PROVIDER_CREDENTIAL_MISSING");
    await waitFor(() => prod.dlq.find((r) => r.key?.toString() === e.orderId), {
      timeoutMs: 60_000,
      description: "the DLQ record",
    });
    // Nothing went to the provider under the development account (or any other).
    expect(sim.invoices(SELLER_TAX_CODE, row.transactionUuid)).toHaveLength(0);
    expect(sim.report().counters.createInvoice.requests).toBe(createdBefore);

    await prod.send(payment(f, { buyer: COMPANY_BUYER }));
    await waitForEvent(prod, f.orderId, "INVOICE_ISSUED");
    expect(await accountOf(prod, f.orderId)).toBe("seller-f");
    expect(prod.proc.logs.some((l) => l.msg === "shutdown started")).toBe(false);
    await expectDbMatchesProvider(prod, e.orderId);
    await expectDbMatchesProvider(prod, f.orderId);
  });
});
