/**
 * MerchantProfile (invoicing settings) and ProviderCredential reads and writes of the merchant API,
 * scoped by merchant in every WHERE clause. Credentials are stored sealed (AES-256-GCM, key id) and
 * bound to their merchant by the AAD `provider-credential:<merchantId>` (`sealProviderCredential` of
 * @invoice/crypto, which the issuer opens): a row copied onto another merchant does not decrypt.
 * They are never read back in plaintext here.
 */
import { createHmac, hkdfSync } from "node:crypto";
import {
  type Keyring,
  type ProviderAccount,
  providerCredentialPlaintext,
  sealProviderCredential,
} from "@invoice/crypto";
import type { PrismaClient } from "@invoice/db";
import type { IdGenerator } from "@invoice/ids";
import type { MerchantScope } from "./merchant-scope.ts";

type SettingsDb = Pick<PrismaClient, "merchantProfile" | "providerCredential" | "$transaction">;

export interface InvoicingSettings {
  claimWindowSeconds: number;
  provider: string;
  /** The provider's mẫu số, e.g. SInvoice "1/001" (first digit: ký hiệu mẫu số). */
  templateCode: string;
  /** Ký hiệu hóa đơn, e.g. "C26TAA". */
  invoiceSeries: string;
}

export async function findSettings(db: SettingsDb, scope: MerchantScope) {
  return db.merchantProfile.findFirst({
    where: { merchantId: scope.merchantId, deletedAt: null },
    select: {
      merchantId: true,
      claimWindowSeconds: true,
      provider: true,
      providerConfig: true,
      updatedAt: true,
    },
  });
}

export type SettingsRow = NonNullable<Awaited<ReturnType<typeof findSettings>>>;

/** Upserts the profile; providerConfig keeps keys it does not set (supplierTaxCode, ...). */
export async function saveSettings(db: SettingsDb, merchantId: string, settings: InvoicingSettings) {
  return db.$transaction(async (tx) => {
    const current = await tx.merchantProfile.findFirst({
      where: { merchantId, deletedAt: null },
      select: { providerConfig: true },
    });
    const credential = await tx.providerCredential.findFirst({
      where: { merchantId, provider: settings.provider, deletedAt: null },
      select: { id: true },
    });
    const providerConfig = {
      ...((current?.providerConfig as Record<string, unknown> | null) ?? {}),
      templateCode: settings.templateCode,
      invoiceSeries: settings.invoiceSeries,
      invoiceType: settings.templateCode.charAt(0),
    };
    const data = {
      claimWindowSeconds: settings.claimWindowSeconds,
      provider: settings.provider,
      providerConfig,
      providerCredentialId: credential?.id ?? null,
    };
    return tx.merchantProfile.upsert({
      where: { merchantId },
      create: { merchantId, ...data },
      update: { ...data, deletedAt: null },
      select: {
        merchantId: true,
        claimWindowSeconds: true,
        provider: true,
        providerConfig: true,
        updatedAt: true,
      },
    });
  });
}

export async function findCredential(db: SettingsDb, scope: MerchantScope, provider: string) {
  return db.providerCredential.findFirst({
    where: { merchantId: scope.merchantId, provider, deletedAt: null },
    select: { provider: true, fingerprint: true, keyId: true, updatedAt: true },
  });
}

/**
 * A keyed fingerprint (HMAC-SHA256 under a key derived from the active credentials key): equal for the
 * same credential, useless for guessing a password offline since the key never leaves the service.
 */
export function credentialFingerprint(keyring: Keyring, merchantId: string, plaintext: string): string {
  const key = keyring.keys.get(keyring.activeKeyId);
  if (!key) throw new Error("active credentials key missing from the keyring");
  const derived = Buffer.from(hkdfSync("sha256", key, "", "provider-credential-fingerprint", 32));
  return createHmac("sha256", derived).update(`${merchantId}\0${plaintext}`).digest("hex").slice(0, 32);
}

export async function saveCredential(
  db: SettingsDb,
  deps: { keyring: Keyring; ids: IdGenerator },
  merchantId: string,
  provider: string,
  account: ProviderAccount,
) {
  const plaintext = providerCredentialPlaintext(account);
  const sealed = sealProviderCredential(account, deps.keyring, merchantId);
  const fields = {
    ciphertext: Buffer.from(sealed.ciphertext, "base64"),
    iv: Buffer.from(sealed.iv, "base64"),
    tag: Buffer.from(sealed.tag, "base64"),
    keyId: sealed.keyId,
    fingerprint: credentialFingerprint(deps.keyring, merchantId, plaintext),
  };
  const select = { id: true, provider: true, fingerprint: true, keyId: true, updatedAt: true } as const;
  return db.$transaction(async (tx) => {
    const existing = await tx.providerCredential.findFirst({
      where: { merchantId, provider, deletedAt: null },
      select: { id: true },
    });
    const saved = existing
      ? await tx.providerCredential.update({ where: { id: existing.id }, data: fields, select })
      : await tx.providerCredential.create({
          data: { id: deps.ids.next(), merchantId, provider, label: `${provider} (merchant API)`, ...fields },
          select,
        });
    await tx.merchantProfile.updateMany({
      where: { merchantId, provider, deletedAt: null },
      data: { providerCredentialId: saved.id },
    });
    return saved;
  });
}
