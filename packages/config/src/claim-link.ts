import { z } from "zod";
import { url } from "./fields.ts";
import { addOwnIssue } from "./own-issue.ts";
import { environmentShape, isDeployed } from "./runtime.ts";
import { SERVICE_DEFAULT_PORTS } from "./service-identity.ts";

/** Where a local run serves the claim page (claims' default port); a default only outside deployments. */
export const LOCAL_CLAIM_LINK_BASE_URL = `http://127.0.0.1:${SERVICE_DEFAULT_PORTS.claims}/v1/api/claims/`;

export interface ClaimLinkConfig {
  /** The claim link without its token, in the URL standard's ASCII form; ends with "/". */
  baseUrl: string;
}

/** Hosts that name the machine the link is opened on: a buyer's phone, on a receipt's link. */
const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" ||
  hostname.endsWith(".localhost") ||
  hostname === "[::1]" ||
  /^127\.\d+\.\d+\.\d+$/.test(hostname);

/**
 * CLAIMS_LINK_BASE_URL, the buyer-facing link of a claim without its token. One variable for every
 * service that hands the link out — claims (QR code, page links) and the issuer (ClaimOpened.claimUrl
 * on invoice.events, which commerce prints on the receipt) — so they never disagree. Required (https)
 * in staging and production: a defaulted local link would be printed on real receipts and lead nowhere.
 *
 * Handed out in the URL standard's serialisation (`URL.href`: punycode host, percent-encoded path,
 * lower-case scheme and host, no default port), so every reader of the link — a Java service's
 * java.net.URI, a QR scanner, a browser — sees the same host and path: a raw Unicode host or
 * "https:/host" is repaired by browsers but leaves Java's URI without a host. The token must land in
 * the path, so a query or fragment is refused (the token would follow it, and the claims page would
 * answer 404 to every buyer), and so are credentials (they would be printed on every receipt). In
 * staging and production a loopback host is refused too: https or not, it leads the phone nowhere.
 */
export const claimLinkSection = z
  .object({
    ...environmentShape,
    CLAIMS_LINK_BASE_URL: url({ protocols: ["http", "https"] }).optional(),
  })
  .superRefine((env, ctx) => {
    // Runs even when the field itself failed (then it holds no string): report only what is left.
    const link = typeof env.CLAIMS_LINK_BASE_URL === "string" ? new URL(env.CLAIMS_LINK_BASE_URL) : undefined;
    const issue = (message: string) => addOwnIssue(ctx, { path: ["CLAIMS_LINK_BASE_URL"], message });
    if (isDeployed(env) && link?.protocol !== "https:") {
      issue("must be set to the buyer-facing https:// URL in staging and production");
    }
    if (link === undefined) return;
    if (isDeployed(env) && isLoopback(link.hostname)) {
      issue("must not point at the machine itself (localhost, 127.0.0.0/8, ::1) in staging and production");
    }
    if (link.username !== "" || link.password !== "") {
      issue("must not contain a user name or password (the link is printed on receipts)");
    }
    if (link.href.includes("?") || link.href.includes("#")) {
      issue("must not have a query (?) or fragment (#): the token is appended to the path");
    } else if (!link.href.endsWith("/")) {
      issue('must end with "/" (the token is appended)');
    }
  })
  .transform(
    (env): ClaimLinkConfig => ({
      baseUrl:
        env.CLAIMS_LINK_BASE_URL === undefined
          ? LOCAL_CLAIM_LINK_BASE_URL
          : new URL(env.CLAIMS_LINK_BASE_URL).href,
    }),
  );

/** The link of one claim: the base URL followed by the token. */
export const claimLink = (baseUrl: string, token: string): string => `${baseUrl}${token}`;
