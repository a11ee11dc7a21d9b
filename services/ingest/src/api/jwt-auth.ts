/**
 * Merchant REST API authentication: `Authorization: Bearer <JWT>`, ES256 only, keys from JWKS_URL.
 *
 * jose's remote JWKS caches the key set (JWKS_CACHE_MAX_AGE_MS) and refetches it when a token names a
 * key id it does not have — at most once per JWKS_REFRESH_COOLDOWN_MS, so a flood of tokens with random
 * kids cannot turn into a flood of JWKS requests. The algorithm list is fixed to ES256 before any key
 * is looked up: `alg: none`, HS256 (including an HMAC made with the public key as its secret) and
 * RS256 are refused whatever the key set holds. iss, aud, exp (required) and nbf are checked with a
 * small clock skew.
 */
import { HttpProblem } from "@invoice/http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";

export interface JwtSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  refreshCooldownMs: number;
  cacheMaxAgeMs: number;
  timeoutMs: number;
}

/** Who is calling: the merchants the token speaks for and what it may do. */
export interface Principal {
  subject: string;
  merchantIds: readonly string[];
  permissions: ReadonlySet<string>;
}

export type JwtVerifier = (token: string) => Promise<Principal>;

const REALM = "invoice-merchant-api";

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  merchant_ids: z.array(z.string().min(1).max(64)).min(1).max(100),
  permissions: z.array(z.string().min(1).max(64)).max(100),
});

function unauthorized(code: string, detail: string, error = "invalid_token"): HttpProblem {
  return new HttpProblem({
    status: 401,
    code,
    detail,
    // RFC 6750 §3: the description is ours and fixed per code, never the library's text.
    headers: {
      "www-authenticate": `Bearer realm="${REALM}", error="${error}", error_description="${detail}"`,
    },
  });
}

/** jose's refusal as the answer a client can act on; anything else (JWKS down) is a 503. */
function refusal(error: unknown): HttpProblem {
  if (error instanceof errors.JWTExpired) return unauthorized("TOKEN_EXPIRED", "The token has expired.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return unauthorized("TOKEN_NOT_YET_VALID", "The token is not valid yet.");
    return unauthorized("TOKEN_CLAIM_INVALID", `The token's ${error.claim} claim is not accepted here.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthorized("TOKEN_ALGORITHM_NOT_ALLOWED", "Only ES256 tokens are accepted.");
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthorized("TOKEN_KEY_UNKNOWN", "The token is signed with a key this API does not know.");
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return unauthorized("TOKEN_INVALID", "The token is malformed or its signature does not verify.");
  }
  return new HttpProblem({
    status: 503,
    code: "AUTH_UNAVAILABLE",
    detail: "Token keys cannot be fetched right now; retry shortly.",
    headers: { "retry-after": "5" },
    cause: error,
  });
}

export function createJwtVerifier(settings: JwtSettings): JwtVerifier {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
    cooldownDuration: settings.refreshCooldownMs,
    cacheMaxAge: settings.cacheMaxAgeMs,
    timeoutDuration: settings.timeoutMs,
  });
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ["ES256"],
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockSkewSeconds,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      throw refusal(error);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw unauthorized(
        "TOKEN_CLAIMS_INVALID",
        "The token must carry sub, merchant_ids (non-empty list) and permissions (list).",
      );
    }
    return {
      subject: claims.data.sub,
      merchantIds: claims.data.merchant_ids,
      permissions: new Set(claims.data.permissions),
    };
  };
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `authenticate` on the merchant API routes. */
      principal?: Principal;
    }
  }
}

/** The auth scheme is case-insensitive (RFC 9110 section 11.1): `bearer` and `BEARER` are Bearer. */
const BEARER = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)[ ]*$/i;

/** Middleware: a verified principal on `req.principal`, or a 401 problem with WWW-Authenticate. */
export function authenticate(verify: JwtVerifier): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === "") {
      return next(
        new HttpProblem({
          status: 401,
          code: "TOKEN_MISSING",
          detail: "Send Authorization: Bearer <token>.",
          headers: { "www-authenticate": `Bearer realm="${REALM}"` },
        }),
      );
    }
    const match = BEARER.exec(header);
    if (!match?.[1])
      return next(unauthorized("TOKEN_INVALID", "The token is malformed or its signature does not verify."));
    try {
      req.principal = await verify(match[1]);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The permission gate of a route: 403 when the token lacks it (the token itself is fine). */
export function requirePermission(principal: Principal | undefined, permission: string): Principal {
  if (!principal) throw new Error("requirePermission used on a route without authenticate");
  if (!principal.permissions.has(permission)) {
    throw new HttpProblem({
      status: 403,
      code: "PERMISSION_DENIED",
      detail: `This route needs the ${permission} permission.`,
      headers: {
        "www-authenticate": `Bearer realm="${REALM}", error="insufficient_scope", scope="${permission}"`,
      },
    });
  }
  return principal;
}
