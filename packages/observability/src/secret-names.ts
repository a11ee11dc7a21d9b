/**
 * Which field names hold secrets. Names are compared after folding case and dropping every character
 * that is not a letter or digit, so `Authorization`, `authorization`, `X-Signature`, `x_signature`,
 * `access_token`, `accessToken` and `ACCESS-TOKEN` are one name each.
 *
 * Three kinds of rule, on the folded name:
 * - contains: the word anywhere (`providerPassword`, `WEBHOOK_INTERNAL_SECRET`, `Set-Cookie`);
 * - ends with (trailing digits ignored, so `x-hub-signature-256` counts): `token`, `signature`,
 *   `credentials`, `sessionid` (a session cookie's value is a bearer credential) and a few kinds of
 *   key — but not `tokenType`, `credentialsKeyId` or `partitionKey`, which operators need to see;
 * - exact: short names that would match far too much as parts (`auth`, `sig`, `jwt`).
 */
export const SECRET_NAME_RULES = {
  contains: ["password", "passwd", "passphrase", "secret", "authorization", "cookie", "privatekey", "apikey"],
  endsWith: [
    "token",
    "tokens",
    "signature",
    "signatures",
    "credential",
    "credentials",
    "credentialskey",
    "retiredkeys",
    "accesskey",
    "signingkey",
    "encryptionkey",
    "hmackey",
    "masterkey",
    "clientkey",
    "sessionkey",
    "sessionid",
    "pwd",
  ],
  exact: ["auth", "sig", "jwt", "pass", "otp"],
} as const;

const CONTAINS = new RegExp(SECRET_NAME_RULES.contains.join("|"));
const ENDS_WITH = new RegExp(`(?:${SECRET_NAME_RULES.endsWith.join("|")})\\d*$`);
const EXACT = new Set<string>(SECRET_NAME_RULES.exact);

/** Field names are few and repeat on every line: remember the verdicts, up to a bound. */
const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 4_096;

/** `Authorization` → `authorization`, `X-Signature-256` → `xsignature256`, `access_token` → `accesstoken`. */
export function foldName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

export function isSecretName(name: string): boolean {
  const known = verdicts.get(name);
  if (known !== undefined) return known;
  const folded = foldName(name);
  const verdict = EXACT.has(folded) || CONTAINS.test(folded) || ENDS_WITH.test(folded);
  if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
  verdicts.set(name, verdict);
  return verdict;
}
