/**
 * The issuer's credential source against a real PostgreSQL: merchants' stored credentials opened
 * with the keyring (sealed as the merchant API seals them), the fallback only where it is given, the
 * reason codes of a missing, unreadable or unreachable credential, and the cache (TTL, single
 * flight, invalidation, bounded size). The clock is a fake one: the TTL is about time passing.
 */
import { randomBytes } from "node:crypto";
import { createKeyring, type ProviderAccount, sealProviderCredential } from "@invoice/crypto";
import { createPrismaClient, type PrismaClient } from "@invoice/db";
import { createTempDatabase, type TempDatabase } from "@invoice/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CredentialSourceOptions,
  createCredentialSource,
} from "../src/issuance/provider-credentials.ts";
import { uniqueMerchant } from "./support.ts";

const keyring = createKeyring(randomBytes(32));
const FALLBACK = { username: "0100109106-509", password: "simulator-password" };

let database: TempDatabase;
let db: PrismaClient;
beforeAll(async () => {
  database = await createTempDatabase("issuer_creds", { migrate: true });
  db = createPrismaClient({ databaseUrl: database.url, maxConnections: 2 });
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

let nextId = 1n;
/** Stores a credential the way the merchant API does (sealed for `sealedFor`, default the merchant). */
async function store(merchantId: string, account: ProviderAccount, sealedFor = merchantId, keys = keyring) {
  const sealed = sealProviderCredential(account, keys, sealedFor);
  nextId += 1n;
  return db.providerCredential.create({
    data: {
      id: BigInt(Date.now()) * 1000n + nextId,
      merchantId,
      provider: "sinvoice",
      label: "sinvoice (test)",
      keyId: sealed.keyId,
      iv: Buffer.from(sealed.iv, "base64"),
      tag: Buffer.from(sealed.tag, "base64"),
      ciphertext: Buffer.from(sealed.ciphertext, "base64"),
    },
  });
}

/** A source over the real client that counts the table reads it makes (not a fake: it calls through). */
function source(overrides: Partial<CredentialSourceOptions> = {}) {
  const reads = { count: 0 };
  let clock = 1_000_000;
  const counted = {
    providerCredential: {
      findFirst: ((args: Parameters<PrismaClient["providerCredential"]["findFirst"]>[0]) => {
        reads.count += 1;
        return db.providerCredential.findFirst(args);
      }) as PrismaClient["providerCredential"]["findFirst"],
    },
  } as Pick<PrismaClient, "providerCredential">;
  const credentials = createCredentialSource({
    db: counted,
    keyring,
    fallback: undefined,
    ttlMs: 60_000,
    maxEntries: 100,
    now: () => clock,
    ...overrides,
  });
  return { credentials, reads, advance: (ms: number) => (clock += ms) };
}

describe("provider credentials of merchants", () => {
  it("opens the merchant's stored credential; its own, never another merchant's", async () => {
    const a = uniqueMerchant();
    const b = uniqueMerchant();
    await store(a, { username: "seller-a", password: "pw-a" });
    await store(b, { username: "seller-b", password: "pw-b" });
    const { credentials } = source({ fallback: FALLBACK });
    expect(await credentials.forMerchant(a, "sinvoice")).toEqual({
      ok: true,
      credentials: { username: "seller-a", password: "pw-a" },
      source: "merchant",
    });
    expect(await credentials.forMerchant(b, "sinvoice")).toMatchObject({
      ok: true,
      credentials: { username: "seller-b" },
    });
  });

  it("without a stored credential: the fallback where given, else PROVIDER_CREDENTIAL_MISSING", async () => {
    const m = uniqueMerchant();
    expect(await source({ fallback: FALLBACK }).credentials.forMerchant(m, "sinvoice")).toEqual({
      ok: true,
      credentials: FALLBACK,
      source: "fallback",
    });
    expect(await source().credentials.forMerchant(m, "sinvoice")).toMatchObject({
      ok: false,
      code: "PROVIDER_CREDENTIAL_MISSING",
      retriable: false,
    });
    // A credential for another provider is not one for this provider; a deleted one is none.
    const deleted = uniqueMerchant();
    const row = await store(deleted, { username: "gone", password: "gone" });
    await db.providerCredential.update({ where: { id: row.id }, data: { deletedAt: new Date() } });
    expect(await source().credentials.forMerchant(deleted, "sinvoice")).toMatchObject({
      code: "PROVIDER_CREDENTIAL_MISSING",
    });
    expect(await source().credentials.forMerchant(m, "vnpt")).toMatchObject({
      code: "PROVIDER_CREDENTIAL_MISSING",
    });
  });

  it("a row that does not open is PROVIDER_CREDENTIAL_UNREADABLE, even with a fallback, and says nothing secret", async () => {
    const copied = uniqueMerchant();
    await store(copied, { username: "seller-x", password: "secret-x" }, uniqueMerchant()); // sealed for another merchant
    const rotated = uniqueMerchant();
    await store(
      rotated,
      { username: "seller-y", password: "secret-y" },
      rotated,
      createKeyring(randomBytes(32)),
    );
    const { credentials } = source({ fallback: FALLBACK });
    const first = await credentials.forMerchant(copied, "sinvoice");
    expect(first).toMatchObject({ ok: false, code: "PROVIDER_CREDENTIAL_UNREADABLE", retriable: false });
    expect(!first.ok && first.message).toContain("AUTHENTICATION_FAILED");
    const second = await credentials.forMerchant(rotated, "sinvoice");
    expect(!second.ok && second.message).toContain("UNKNOWN_KEY_ID");
    expect(JSON.stringify([first, second])).not.toMatch(/secret-[xy]/);
  });

  it("an unreachable table is PROVIDER_CREDENTIAL_UNAVAILABLE (retriable), and is not remembered", async () => {
    const down = createPrismaClient({
      databaseUrl: "postgresql://postgres@127.0.0.1:1/none",
      maxConnections: 1,
    });
    try {
      const credentials = createCredentialSource({
        db: down,
        keyring,
        fallback: FALLBACK,
        ttlMs: 60_000,
        maxEntries: 10,
      });
      const m = uniqueMerchant();
      expect(await credentials.forMerchant(m, "sinvoice")).toMatchObject({
        ok: false,
        code: "PROVIDER_CREDENTIAL_UNAVAILABLE",
        retriable: true,
      });
      // Not cached: the next send asks again (and gets the same answer while the table is down).
      expect(await credentials.forMerchant(m, "sinvoice")).toMatchObject({
        code: "PROVIDER_CREDENTIAL_UNAVAILABLE",
      });
    } finally {
      await down.$disconnect().catch(() => undefined);
    }
  });

  it("caches for the TTL: one read for many sends, a changed password after the TTL or an invalidation", async () => {
    const m = uniqueMerchant();
    const row = await store(m, { username: "seller-c", password: "old" });
    const { credentials, reads, advance } = source({ ttlMs: 60_000 });
    const concurrent = await Promise.all(
      Array.from({ length: 50 }, () => credentials.forMerchant(m, "sinvoice")),
    );
    expect(reads.count).toBe(1); // single flight
    expect(new Set(concurrent.map((c) => (c.ok ? c.credentials.password : "?")))).toEqual(new Set(["old"]));

    // The merchant stores a new password (the merchant API updates the same row).
    const sealed = sealProviderCredential({ username: "seller-c", password: "new" }, keyring, m);
    await db.providerCredential.update({
      where: { id: row.id },
      data: {
        iv: Buffer.from(sealed.iv, "base64"),
        tag: Buffer.from(sealed.tag, "base64"),
        ciphertext: Buffer.from(sealed.ciphertext, "base64"),
      },
    });
    advance(59_000);
    expect(await credentials.forMerchant(m, "sinvoice")).toMatchObject({ credentials: { password: "old" } });
    expect(reads.count).toBe(1);
    advance(1_000);
    expect(await credentials.forMerchant(m, "sinvoice")).toMatchObject({ credentials: { password: "new" } });
    expect(reads.count).toBe(2);

    // A refused login drops the entry at once.
    credentials.invalidate(m, "sinvoice");
    await credentials.forMerchant(m, "sinvoice");
    expect(reads.count).toBe(3);
  });

  it("a missing credential is remembered for the TTL too (a merchant that stores one waits at most that long)", async () => {
    const m = uniqueMerchant();
    const { credentials, reads, advance } = source({ ttlMs: 30_000 });
    expect(await credentials.forMerchant(m, "sinvoice")).toMatchObject({
      code: "PROVIDER_CREDENTIAL_MISSING",
    });
    await store(m, { username: "seller-d", password: "pw-d" });
    expect(await credentials.forMerchant(m, "sinvoice")).toMatchObject({
      code: "PROVIDER_CREDENTIAL_MISSING",
    });
    advance(30_000);
    expect(await credentials.forMerchant(m, "sinvoice")).toMatchObject({
      credentials: { username: "seller-d" },
    });
    expect(reads.count).toBe(2);
  });

  it("holds at most maxEntries merchants, dropping the least recently used", async () => {
    const [a, b, c] = [uniqueMerchant(), uniqueMerchant(), uniqueMerchant()];
    for (const m of [a, b, c]) await store(m, { username: `u-${m}`, password: "p" });
    const { credentials, reads } = source({ maxEntries: 2 });
    await credentials.forMerchant(a, "sinvoice");
    await credentials.forMerchant(b, "sinvoice");
    await credentials.forMerchant(a, "sinvoice"); // a is now the most recently used
    expect(reads.count).toBe(2);
    await credentials.forMerchant(c, "sinvoice"); // drops b
    await credentials.forMerchant(a, "sinvoice");
    expect(reads.count).toBe(3);
    await credentials.forMerchant(b, "sinvoice");
    expect(reads.count).toBe(4);
  });
});
