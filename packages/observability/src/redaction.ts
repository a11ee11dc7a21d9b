/** What redacted values are replaced with in log lines. */
export const REDACTED = "[REDACTED]";

/**
 * Field names whose values must never reach a log line, wherever they appear in the first three
 * levels of a logged object (`x`, `*.x`, `*.*.x` — e.g. `password`, `provider.password`,
 * `req.headers.authorization`). Deeper nesting is not covered: redaction is a safety net, the first
 * rule is not to log secrets at all.
 */
export const SECRET_FIELDS = [
  "password",
  "passwd",
  "secret",
  "clientSecret",
  "webhookSecret",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "claimToken",
  "apiKey",
  "privateKey",
  "credentialsKey",
  "credentials",
  "signature",
  "authorization",
  "cookie",
  "set-cookie",
  "x-signature",
  "x-webhook-signature",
  "x-api-key",
  "WEBHOOK_SECRET",
  "WEBHOOK_INTERNAL_SECRET",
  "APP_ENV_INVOICE_CREDENTIALS_KEY",
  "APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS",
] as const;

/** pino redact paths for {@link SECRET_FIELDS}; names that are not identifiers use bracket notation. */
export function redactPaths(fields: readonly string[] = SECRET_FIELDS): string[] {
  return fields.flatMap((field) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`;
    const top = key.startsWith(".") ? key.slice(1) : key;
    return [top, `*${key}`, `*.*${key}`];
  });
}
