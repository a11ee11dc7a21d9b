import { isSecretName } from "./secret-names.ts";

/** What redacted values are replaced with in log lines. */
export const REDACTED = "[REDACTED]";

/**
 * `scheme://user:password@host` → `scheme://user:[REDACTED]@host`. The password runs to the LAST `@`
 * of the authority, so an unencoded `@` inside it cannot leak its tail. A user without a password
 * (`postgresql://postgres@db`) is left as it is. Schemes may hold `_` (Kafka listener names such as
 * `SASL_SSL://user:pass@broker:9093`), which RFC 3986 would not allow.
 */
const URL_PASSWORD = /\b([a-z][\w+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#]*)@/gi;

/**
 * `name=value` in query strings, form bodies and libpq DSNs (`host=db password=x`, and libpq's
 * `password = x`), value quoted or not; the value is replaced only when the name is a secret one
 * (`?password=`, `&access_token=`, `sig=`).
 */
const NAME_EQUALS_VALUE =
  /(?<![\w.-])([\w.-]{1,64})( ?= ?)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&#;,"'<>]*)/g;

/**
 * `name: value` and `"name": "value"`: header lines in raw HTTP text (`Authorization: Bearer ...`),
 * JSON inside a message (`{"access_token":"..."}`, SInvoice's login answer), JSON encoded once more
 * inside a JSON string (`{\"access_token\":\"...\"}`: a body logged as a string field) and
 * util.inspect output (`{ password: 'x' }`). Unquoted values run to the end of the line or a `,` `;` `}`.
 */
const NAME_COLON_VALUE =
  /(?<![\w-])(\\*["']?)([A-Za-z][\w-]{0,63})\1\s*:\s*(\\+"[^"]*"|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\r\n,;}]*)/g;

/** Credentials after an HTTP auth scheme anywhere in a text: `Bearer eyJ...`, `Basic dXNlcjpw...`. */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/** A JSON Web Token anywhere (header.payload.signature, base64url, header starting with `{"`). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** Cheap gate for the `name: value` pass: the text mentions a secret-looking word at all. */
const SECRET_WORD = /pass|secret|token|auth|cookie|sig|key|credential|jwt|pwd|otp/i;
const AUTH_WORD = /bearer|basic|digest|token/i;

/** Shortest text that can hold a credential by any rule above (`sig=x`). */
const MIN_LENGTH = 5;

/** `"x"` → `"[REDACTED]"`, `\"x\"` → `\"[REDACTED]\"`, `x` → `[REDACTED]`. */
function quoted(value: string): string {
  const quote = /^\\*["']/.exec(value)?.[0];
  return quote === undefined ? REDACTED : `${quote}${REDACTED}${quote}`;
}

/**
 * Removes credentials from free text: URL passwords, secret query/form/DSN parameters, secret header
 * lines and JSON/inspect fields, auth-scheme credentials and JWTs. Returns the same string when nothing
 * matched (the common case costs a few `includes` and one regex test).
 */
export function redactText(text: string): string {
  if (text.length < MIN_LENGTH) return text;
  let result = text;
  // Auth schemes and JWTs first: `Authorization=Bearer x` must lose `x`, not only the word after `=`.
  if (AUTH_WORD.test(result)) result = result.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
  if (result.includes("eyJ")) result = result.replace(JWT, REDACTED);
  if (result.includes("://")) result = result.replace(URL_PASSWORD, `$1$2:${REDACTED}@`);
  if (result.includes("=")) {
    result = result.replace(NAME_EQUALS_VALUE, (match, name: string, equals: string, value: string) =>
      isSecretName(name) && value !== "" ? `${name}${equals}${quoted(value)}` : match,
    );
  }
  if (result.includes(":") && SECRET_WORD.test(result)) {
    result = result.replace(NAME_COLON_VALUE, (match, quote: string, name: string, value: string) => {
      if (!isSecretName(name) || value.trim() === "" || value.startsWith(REDACTED)) return match;
      const separator = match.slice(quote.length * 2 + name.length, match.length - value.length);
      return `${quote}${name}${quote}${separator}${quoted(value)}`;
    });
  }
  return result;
}

/**
 * Longest string a log line carries. Redaction costs about 0.15 µs per character (a 1 MB JSON body took
 * 160 ms, blocking the event loop), and a megabyte in one log line helps nobody: a longer string is
 * redacted over its first MAX_LOG_TEXT characters plus a look-ahead (so a secret straddling the cut is
 * still recognised by what follows it) and cut there.
 */
export const MAX_LOG_TEXT = 32_768;
const LOOK_AHEAD = 1_024;

/** {@link redactText} for log lines: long texts are cut at MAX_LOG_TEXT after redaction. */
export function redactLogText(text: string): string {
  if (text.length <= MAX_LOG_TEXT) return redactText(text);
  const head = redactText(text.slice(0, MAX_LOG_TEXT + LOOK_AHEAD)).slice(0, MAX_LOG_TEXT);
  return `${head}…[Truncated: ${text.length} characters]`;
}
