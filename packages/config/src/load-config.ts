import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "./config-error.ts";
import { isOwnIssue } from "./own-issue.ts";

/** The process environment, or a test's stand-in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

const WHOLE_CONFIG = "(configuration)";

/**
 * Parses `env` with a zod schema keyed by variable name, or throws a {@link ConfigError} listing every
 * bad or missing variable with its reason.
 *
 * A variable set to an empty or blank string counts as unset: templated manifests often render a missing
 * value as `FOO=`, and that must get the default (or "is required"), not be validated as "".
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const present = presentVariables(env);
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw ConfigError.fromIssues(toConfigIssues(result.error.issues, present));
}

function presentVariables(env: Env): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") present[name] = value;
  }
  return present;
}

function toConfigIssues(issues: readonly z.core.$ZodIssue[], env: Record<string, string>): ConfigIssue[] {
  const seen = new Set<string>();
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    const first = issue.path[0];
    const variable = typeof first === "string" ? first : WHOLE_CONFIG;
    const value = env[variable];
    const reason =
      value === undefined && issue.code === "invalid_type"
        ? "is required but not set"
        : isOwnIssue(issue)
          ? issue.message
          : scrub(issue.message, value);
    // Sections that share a variable (NODE_ENV in runtime and identity) would report it twice.
    const key = `${variable}\u0000${reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ variable, reason });
  }
  return result;
}

/**
 * A message from another schema (a service's own zod refinement) might quote the value, which may be a
 * secret: hide each occurrence of it that stands on its own. Occurrences inside a longer word are
 * left alone — they are the message's own text, not the value ("prod" in "production").
 */
function scrub(message: string, value: string | undefined): string {
  if (value === undefined) return message;
  let result = message;
  for (const candidate of new Set([value, value.trim()])) {
    if (candidate.length < 4) continue;
    result = result.replace(standalone(candidate), "[value hidden]");
  }
  return result;
}

const WORD = "[\\p{L}\\p{N}_]";
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;

/** `value` as a regex that does not match inside a longer word (only word-character edges need a guard). */
function standalone(value: string): RegExp {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const before = WORD_CHAR.test(value.at(0) ?? "") ? `(?<!${WORD})` : "";
  const after = WORD_CHAR.test(value.at(-1) ?? "") ? `(?!${WORD})` : "";
  return new RegExp(`${before}${escaped}${after}`, "gu");
}
