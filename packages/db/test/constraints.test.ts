import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/index.ts";
import { connect, createTempDatabase, type TempDatabase } from "../src/testing/index.ts";

let db: TempDatabase;
let client: pg.Client;
let nextId = 1_000n;
const newId = () => nextId++;

beforeAll(async () => {
  db = await createTempDatabase("db_constraints");
  await migrate({ databaseUrl: db.url, seed: false });
  client = await connect(db.url);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

interface InvoiceInput {
  orderId: string;
  status: string;
  kind?: string;
  relatedInvoiceId?: bigint | null;
  totalAmountWithTax?: number;
}

async function insertInvoice({
  orderId,
  status,
  kind = "ORIGINAL",
  relatedInvoiceId = null,
  totalAmountWithTax = 108_000,
}: InvoiceInput) {
  const id = newId();
  await client.query(
    `INSERT INTO "Invoice" ("id", "merchantId", "orderId", "kind", "relatedInvoiceId", "status", "sellerTaxCode", "sellerSnapshot",
       "provider", "providerConfigSnapshot", "invoiceType", "templateCode", "invoiceSeries",
       "totalAmountWithoutTax", "totalTaxAmount", "totalAmountWithTax", "transactionUuid", "updatedAt")
     VALUES ($1, 'merchant-1', $2, $3, $4, $5, '0101234567', '{}', 'simulator', '{}', '1', '1/001', 'C26TAA',
       100000, 8000, $6, $7, now())`,
    [id, orderId, kind, relatedInvoiceId, status, totalAmountWithTax, randomUUID()],
  );
  return id;
}

async function violation(promise: Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  const error = await promise.then(
    () => undefined,
    (e: { code?: string; constraint?: string }) => e,
  );
  expect(error, "the statement should have been rejected").toBeDefined();
  return { code: error?.code, constraint: error?.constraint };
}

describe("at most one active invoice per (merchantId, orderId)", () => {
  it("rejects a second active invoice for the same order", async () => {
    await insertInvoice({ orderId: "order-a", status: "ISSUING" });
    expect(await violation(insertInvoice({ orderId: "order-a", status: "REQUESTED" }))).toEqual({
      code: "23505",
      constraint: "Invoice_merchantId_orderId_active_key",
    });
    // Another order of the same merchant is unaffected.
    await insertInvoice({ orderId: "order-a2", status: "REQUESTED" });
  });

  it("allows a new invoice once the previous one FAILED or was soft-deleted", async () => {
    const first = await insertInvoice({ orderId: "order-b", status: "ISSUING" });
    await client.query(`UPDATE "Invoice" SET "status" = 'FAILED' WHERE "id" = $1`, [first]);
    const second = await insertInvoice({ orderId: "order-b", status: "ISSUING" });
    await client.query(`UPDATE "Invoice" SET "deletedAt" = now() WHERE "id" = $1`, [second]);
    const third = await insertInvoice({ orderId: "order-b", status: "ISSUED" });

    // Re-activating the failed one while the third is active breaks the rule as well.
    expect(
      await violation(client.query(`UPDATE "Invoice" SET "status" = 'ISSUING' WHERE "id" = $1`, [first])),
    ).toEqual({
      code: "23505",
      constraint: "Invoice_merchantId_orderId_active_key",
    });
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM "Invoice" WHERE "orderId" = 'order-b'`,
    );
    expect(rows[0].n).toBe(3);
    expect(third).toBeGreaterThan(second);
  });

  it("counts a replacement as the active invoice and ignores adjustment invoices", async () => {
    const original = await insertInvoice({ orderId: "order-c", status: "ISSUED" });
    await insertInvoice({
      orderId: "order-c",
      status: "ISSUED",
      kind: "ADJUSTMENT",
      relatedInvoiceId: original,
    });
    expect(
      await violation(
        insertInvoice({
          orderId: "order-c",
          status: "ISSUING",
          kind: "REPLACEMENT",
          relatedInvoiceId: original,
        }),
      ),
    ).toEqual({ code: "23505", constraint: "Invoice_merchantId_orderId_active_key" });
    await client.query(`UPDATE "Invoice" SET "status" = 'REPLACED' WHERE "id" = $1`, [original]);
    await insertInvoice({
      orderId: "order-c",
      status: "ISSUING",
      kind: "REPLACEMENT",
      relatedInvoiceId: original,
    });
  });

  it("rejects negative totals and corrections without the invoice they correct", async () => {
    expect(
      await violation(insertInvoice({ orderId: "order-d", status: "REQUESTED", totalAmountWithTax: -1 })),
    ).toEqual({
      code: "23514",
      constraint: "Invoice_amounts_check",
    });
    expect(
      await violation(insertInvoice({ orderId: "order-d", status: "REQUESTED", kind: "ADJUSTMENT" })),
    ).toEqual({
      code: "23514",
      constraint: "Invoice_relatedInvoice_check",
    });
  });
});

describe("claim tokens", () => {
  async function insertClaim(
    invoiceId: bigint | null,
    token: string,
    { status = "OPEN", orderId = `order-${token}` }: { status?: string; orderId?: string } = {},
  ) {
    const id = newId();
    await client.query(
      `INSERT INTO "Claim" ("id", "invoiceId", "merchantId", "orderId", "token", "status", "claimDeadline",
         "orderAmountVnd", "orderPaidAt", "updatedAt")
       VALUES ($1, $2, 'merchant-1', $3, $4, $5, now() + interval '1 day', 150000, now(), now())`,
      [id, invoiceId, orderId, token, status],
    );
    return id;
  }

  it("keeps an open token unique, and frees it once the claim is closed", async () => {
    const invoiceA = await insertInvoice({ orderId: "order-claim-a", status: "AWAITING_CLAIM" });
    const invoiceB = await insertInvoice({ orderId: "order-claim-b", status: "AWAITING_CLAIM" });
    const token = randomUUID();
    const claim = await insertClaim(invoiceA, token);
    expect(await violation(insertClaim(invoiceB, token))).toEqual({
      code: "23505",
      constraint: "Claim_token_open_key",
    });

    await client.query(
      `UPDATE "Claim" SET "status" = 'EXPIRED', "expiredAt" = now(), "closedAt" = now() WHERE "id" = $1`,
      [claim],
    );
    await insertClaim(invoiceB, token);
    const { rows } = await client.query(
      `SELECT "status"::text AS status FROM "Claim" WHERE "token" = $1 ORDER BY "id"`,
      [token],
    );
    expect(rows.map((r) => r.status)).toEqual(["EXPIRED", "OPEN"]);
  });

  it("allows one open claim per invoice", async () => {
    const invoice = await insertInvoice({ orderId: "order-claim-c", status: "AWAITING_CLAIM" });
    await insertClaim(invoice, randomUUID());
    expect(await violation(insertClaim(invoice, randomUUID()))).toEqual({
      code: "23505",
      constraint: "Claim_invoiceId_open_key",
    });
    await insertClaim(invoice, randomUUID(), { status: "CANCELLED" });
  });

  it("opens claims before any invoice exists, one open claim per order", async () => {
    await insertClaim(null, randomUUID(), { orderId: "order-claim-d" });
    expect(await violation(insertClaim(null, randomUUID(), { orderId: "order-claim-d" }))).toEqual({
      code: "23505",
      constraint: "Claim_merchantId_orderId_open_key",
    });
    await insertClaim(null, randomUUID(), { orderId: "order-claim-d", status: "CANCELLED" });
  });

  it("records a submission whole, on SUBMITTED claims only", async () => {
    const claim = await insertClaim(null, randomUUID());
    const submit = (columns: string) =>
      client.query(`UPDATE "Claim" SET "status" = 'SUBMITTED', ${columns} WHERE "id" = $1`, [claim]);
    expect(await violation(submit(`"submittedAt" = now()`))).toEqual({
      code: "23514",
      constraint: "Claim_lifecycle_check",
    });
    expect(
      await violation(client.query(`UPDATE "Claim" SET "eventPublishedAt" = now() WHERE "id" = $1`, [claim])),
    ).toEqual({ code: "23514", constraint: "Claim_lifecycle_check" });
    await submit(`"submittedAt" = now(), "submissionId" = gen_random_uuid(), "submission" = '{}'`);
  });
});

describe("encrypted values", () => {
  it("accepts plain or AES-GCM-shaped secret configuration, never a mix", async () => {
    await client.query(
      `INSERT INTO "Configuration" ("key", "value", "updatedAt") VALUES ('plain', '1', now())`,
    );
    await client.query(
      `INSERT INTO "Configuration" ("key", "isSecret", "ciphertext", "iv", "tag", "keyId", "updatedAt")
       VALUES ('secret', true, '\\x01', decode(repeat('00', 12), 'hex'), decode(repeat('00', 16), 'hex'), 'k1', now())`,
    );
    expect(
      await violation(
        client.query(
          `INSERT INTO "Configuration" ("key", "value", "isSecret", "ciphertext", "updatedAt") VALUES ('mixed', '1', true, '\\x01', now())`,
        ),
      ),
    ).toEqual({ code: "23514", constraint: "Configuration_value_check" });
    expect(
      await violation(
        client.query(
          `INSERT INTO "ProviderCredential" ("id", "provider", "label", "ciphertext", "iv", "tag", "keyId", "updatedAt")
           VALUES (1, 'sinvoice', 'main', '\\x01', '\\x00', decode(repeat('00', 16), 'hex'), 'k1', now())`,
        ),
      ),
    ).toEqual({ code: "23514", constraint: "ProviderCredential_aesGcm_check" });
  });
});
