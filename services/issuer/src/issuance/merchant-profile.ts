/**
 * What the issuer needs to know about a merchant: its claim window (policy) and the seller and
 * provider configuration snapshotted onto each invoice it creates (DESIGN.md section 4: immutable).
 * Read from TaxInfo (cdc-sync) and MerchantProfile; a merchant with neither gets the development
 * seller outside production (tests, bench, demo), and in production cannot be invoiced
 * (MERCHANT_NOT_CONFIGURED: the send is reported rejected and the invoice FAILS with that reason).
 */
import type { PrismaClient } from "@invoice/db";
import { DEFAULT_MERCHANT_POLICY, type MerchantPolicy, type SellerSnapshot } from "@invoice/domain";

export interface ProviderSnapshot {
  provider: string;
  /** Mẫu số at the provider ("1/001"). */
  templateCode: string;
  /** Ký hiệu without the template digit and year, e.g. "TAA" (the year comes from the invoice date). */
  seriesSuffix: string;
  supplierTaxCode: string;
}

export interface MerchantProfileView {
  policy: MerchantPolicy;
  seller: SellerSnapshot | undefined;
  provider: ProviderSnapshot | undefined;
}

const DEV_SELLER: SellerSnapshot = {
  name: "Công ty Cổ phần Thương mại Sông Hồng",
  taxCode: "0100109106",
  address: "Số 1 Giang Văn Minh, Phường Ba Đình, Hà Nội",
};

const DEV_PROVIDER: ProviderSnapshot = {
  provider: "sinvoice",
  templateCode: "1/001",
  seriesSuffix: "TAA",
  supplierTaxCode: DEV_SELLER.taxCode,
};

export interface MerchantDefaults {
  claimWindowMs: number;
  sendLeaseMs: number;
  /** Production: no development seller. */
  production: boolean;
}

type MerchantDb = Pick<PrismaClient, "merchantProfile" | "taxInfo">;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** "C26TAA" → "TAA"; "TAA" stays. */
function suffixOf(series: string | undefined): string | undefined {
  if (!series) return undefined;
  const match = /^[CK]\d{2}([A-Z]{3,4})$/.exec(series);
  return match ? match[1] : /^[A-Z]{3,4}$/.test(series) ? series : undefined;
}

/** The profiles of many merchants in two queries (one per table), keyed by merchantId. */
export async function loadMerchantProfiles(
  db: MerchantDb,
  merchantIds: readonly string[],
  defaults: MerchantDefaults,
): Promise<Map<string, MerchantProfileView>> {
  const ids = [...new Set(merchantIds)];
  const [profiles, taxes] = await Promise.all([
    db.merchantProfile.findMany({ where: { merchantId: { in: ids } } }),
    db.taxInfo.findMany({ where: { merchantId: { in: ids } } }),
  ]);
  const profileOf = new Map(profiles.map((p) => [p.merchantId, p]));
  const taxOf = new Map(taxes.map((t) => [t.merchantId, t]));
  return new Map(ids.map((id) => [id, profileView(profileOf.get(id), taxOf.get(id), defaults)]));
}

type ProfileRow = Awaited<ReturnType<MerchantDb["merchantProfile"]["findMany"]>>[number];
type TaxRow = Awaited<ReturnType<MerchantDb["taxInfo"]["findMany"]>>[number];

function profileView(
  profile: ProfileRow | undefined,
  tax: TaxRow | undefined,
  defaults: MerchantDefaults,
): MerchantProfileView {
  const policy: MerchantPolicy = {
    ...DEFAULT_MERCHANT_POLICY,
    claimWindowMs: profile ? profile.claimWindowSeconds * 1000 : defaults.claimWindowMs,
    sendLeaseMs: defaults.sendLeaseMs,
  };
  if (!profile && !tax) {
    return defaults.production
      ? { policy, seller: undefined, provider: undefined }
      : { policy, seller: DEV_SELLER, provider: DEV_PROVIDER };
  }
  const seller: SellerSnapshot | undefined =
    tax && !tax.deletedAt
      ? {
          name: tax.legalName,
          taxCode: tax.taxCode,
          address: tax.address,
          ...(tax.email ? { email: tax.email } : {}),
          ...(tax.phone ? { phone: tax.phone } : {}),
        }
      : defaults.production
        ? undefined
        : DEV_SELLER;
  const config = (profile?.providerConfig ?? {}) as Record<string, unknown>;
  const provider: ProviderSnapshot | undefined = seller
    ? {
        provider: profile?.provider ?? "sinvoice",
        templateCode: text(config.templateCode) ?? DEV_PROVIDER.templateCode,
        seriesSuffix: suffixOf(text(config.invoiceSeries)) ?? DEV_PROVIDER.seriesSuffix,
        supplierTaxCode: text(config.supplierTaxCode) ?? seller.taxCode,
      }
    : undefined;
  return { policy, seller, provider };
}

/** The series of an invoice dated `invoiceDate` (YYYY-MM-DD): C + two-digit year + suffix. */
export const seriesFor = (provider: ProviderSnapshot, invoiceDate: string) =>
  `C${invoiceDate.slice(2, 4)}${provider.seriesSuffix}`;
