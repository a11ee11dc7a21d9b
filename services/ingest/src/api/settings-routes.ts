import type { Keyring } from "@invoice/crypto";
import { parseInvoiceSymbol } from "@invoice/domain";
import type { IdGenerator } from "@invoice/ids";
import { z } from "zod";
import { assertWritable, notFound } from "./merchant-scope.ts";
import { type RouteSpec, route } from "./route-spec.ts";
import { merchantPath, problemSchema } from "./schemas.ts";
import {
  findCredential,
  findSettings,
  type SettingsRow,
  saveCredential,
  saveSettings,
} from "./settings-repository.ts";

export const SETTINGS_PERMISSIONS = {
  settingsRead: "settings:read",
  settingsWrite: "settings:write",
  credentialsWrite: "credentials:write",
} as const;

/** Providers an adapter exists for (packages/provider). */
export const PROVIDERS = ["sinvoice"] as const;

const MAX_CLAIM_WINDOW_SECONDS = 30 * 86_400;

const settingsBody = z
  .object({
    claimWindowSeconds: z.number().int().min(0).max(MAX_CLAIM_WINDOW_SECONDS).meta({
      description:
        "How long a buyer may claim a company invoice after payment; 0 = issue anonymously at once",
    }),
    provider: z.enum(PROVIDERS),
    templateCode: z
      .string()
      .trim()
      .regex(/^[1-9]\/\d{3}$/, "must be the provider's mẫu số, e.g. 1/001")
      .meta({ description: "Mẫu số at the provider; its first digit is the ký hiệu mẫu số" }),
    invoiceSeries: z
      .string()
      .transform((s) => s.normalize("NFKC").trim().toUpperCase())
      .meta({ description: "Ký hiệu hóa đơn, e.g. C26TAA" }),
  })
  .superRefine((body, ctx) => {
    const symbol = parseInvoiceSymbol(`${body.templateCode.charAt(0)}${body.invoiceSeries}`);
    if (!symbol.ok) {
      ctx.addIssue({
        code: "custom",
        path: ["invoiceSeries"],
        message: `invalid invoice symbol: ${symbol.code}`,
      });
    }
  })
  .meta({ id: "InvoicingSettingsUpdate" });

const settingsView = z
  .object({
    merchantId: z.string(),
    claimWindowSeconds: z.number().int(),
    provider: z.string(),
    templateCode: z.string().nullable(),
    invoiceSeries: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: "InvoicingSettings" });

function toSettingsView(row: SettingsRow): z.infer<typeof settingsView> {
  const config = (row.providerConfig ?? {}) as Record<string, unknown>;
  return {
    merchantId: row.merchantId,
    claimWindowSeconds: row.claimWindowSeconds,
    provider: row.provider,
    templateCode: typeof config.templateCode === "string" ? config.templateCode : null,
    invoiceSeries: typeof config.invoiceSeries === "string" ? config.invoiceSeries : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

const credentialBody = z
  .object({
    provider: z.enum(PROVIDERS),
    username: z.string().min(1).max(200),
    password: z.string().min(1).max(500),
  })
  .strict()
  .meta({ id: "ProviderCredentialUpdate" });

const credentialView = z
  .object({
    provider: z.string(),
    fingerprint: z
      .string()
      .nullable()
      .meta({ description: "Keyed fingerprint; changes when the credential does" }),
    keyId: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "ProviderCredential" });

export function settingsRoutes(deps: {
  prisma: Parameters<typeof findSettings>[0];
  keyring: Keyring;
  ids: IdGenerator;
}): RouteSpec[] {
  return [
    route({
      id: "getSettings",
      method: "get",
      path: "/merchants/:merchantId/settings",
      summary: "The merchant's invoicing settings",
      permission: SETTINGS_PERMISSIONS.settingsRead,
      params: merchantPath,
      responses: {
        200: { description: "Settings", schema: settingsView },
        404: { description: "No settings for this merchant", schema: problemSchema },
      },
      async handle({ scope }) {
        const row = await findSettings(deps.prisma, scope);
        if (!row) throw notFound("settings");
        return { status: 200, body: toSettingsView(row) };
      },
    }),
    route({
      id: "updateSettings",
      method: "put",
      path: "/merchants/:merchantId/settings",
      summary: "Replace the invoicing settings (claim window, provider, template and series)",
      permission: SETTINGS_PERMISSIONS.settingsWrite,
      params: merchantPath,
      body: settingsBody,
      idempotent: true,
      responses: {
        200: { description: "Saved settings", schema: settingsView },
        400: { description: "Invalid settings", schema: problemSchema },
        404: { description: "Not this token's merchant", schema: problemSchema },
      },
      async handle({ scope, body }) {
        await findSettings(deps.prisma, scope);
        assertWritable(scope, "merchant");
        const row = await saveSettings(deps.prisma, scope.merchantId, body);
        return { status: 200, body: toSettingsView(row) };
      },
    }),
    route({
      id: "getProviderCredential",
      method: "get",
      path: "/merchants/:merchantId/provider-credentials/:provider",
      summary: "Fingerprint and update time of the stored provider credential (never the credential)",
      permission: SETTINGS_PERMISSIONS.settingsRead,
      params: merchantPath.extend({ provider: z.enum(PROVIDERS) }),
      responses: {
        200: { description: "Credential metadata", schema: credentialView },
        404: { description: "None stored", schema: problemSchema },
      },
      async handle({ scope, params }) {
        const row = await findCredential(deps.prisma, scope, params.provider);
        if (!row) throw notFound("provider credential");
        return { status: 200, body: { ...row, updatedAt: row.updatedAt.toISOString() } };
      },
    }),
    route({
      id: "setProviderCredential",
      method: "put",
      path: "/merchants/:merchantId/provider-credentials",
      summary: "Store the provider credential (AES-256-GCM); answers only its fingerprint",
      permission: SETTINGS_PERMISSIONS.credentialsWrite,
      params: merchantPath,
      body: credentialBody,
      idempotent: true,
      responses: {
        200: { description: "Stored", schema: credentialView },
        404: { description: "Not this token's merchant", schema: problemSchema },
      },
      async handle({ scope, body }) {
        await findCredential(deps.prisma, scope, body.provider);
        assertWritable(scope, "merchant");
        const { provider, ...secret } = body;
        const row = await saveCredential(deps.prisma, deps, scope.merchantId, provider, secret);
        return {
          status: 200,
          body: {
            provider: row.provider,
            fingerprint: row.fingerprint,
            keyId: row.keyId,
            updatedAt: row.updatedAt.toISOString(),
          },
        };
      },
    }),
  ];
}
