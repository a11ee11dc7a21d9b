import { z } from "zod";
import { url } from "./fields.ts";
import { addOwnIssue } from "./own-issue.ts";
import { environmentShape, isDeployed } from "./runtime.ts";
import { SERVICE_DEFAULT_PORTS } from "./service-identity.ts";

/** Where a local run serves the claim page (claims' default port); a default only outside deployments. */
export const LOCAL_CLAIM_LINK_BASE_URL = `http://127.0.0.1:${SERVICE_DEFAULT_PORTS.claims}/v1/api/claims/`;

export interface ClaimLinkConfig {
  /** The claim link without its token; ends with "/". */
  baseUrl: string;
}

/**
 * CLAIMS_LINK_BASE_URL, the buyer-facing link of a claim without its token. One variable for every
 * service that hands the link out — claims (QR code, page links) and the issuer (ClaimOpened.claimUrl
 * on invoice.events, which commerce prints on the receipt) — so they never disagree. Required (https)
 * in staging and production: a defaulted local link would be printed on real receipts and lead nowhere.
 */
export const claimLinkSection = z
  .object({
    ...environmentShape,
    CLAIMS_LINK_BASE_URL: url({ protocols: ["http", "https"] }).optional(),
  })
  .superRefine((env, ctx) => {
    // Runs even when the field itself failed (then it holds no string): report only what is left.
    const link = typeof env.CLAIMS_LINK_BASE_URL === "string" ? env.CLAIMS_LINK_BASE_URL : undefined;
    if (isDeployed(env) && !link?.startsWith("https://")) {
      addOwnIssue(ctx, {
        path: ["CLAIMS_LINK_BASE_URL"],
        message: "must be set to the buyer-facing https:// URL in staging and production",
      });
    }
    if (link !== undefined && !link.endsWith("/")) {
      addOwnIssue(ctx, {
        path: ["CLAIMS_LINK_BASE_URL"],
        message: 'must end with "/" (the token is appended)',
      });
    }
  })
  .transform((env): ClaimLinkConfig => ({ baseUrl: env.CLAIMS_LINK_BASE_URL ?? LOCAL_CLAIM_LINK_BASE_URL }));

/** The link of one claim: the base URL followed by the token. */
export const claimLink = (baseUrl: string, token: string): string => `${baseUrl}${token}`;
