import { z } from "zod";
import { durationMs, oneOf, positiveInt } from "./fields.ts";
import { addOwnIssue } from "./own-issue.ts";

/**
 * Both variables are restricted to known values: a typo such as NODE_ENV=prodution would otherwise
 * quietly switch off every production-only safety check.
 */
export const NODE_ENVS = ["development", "test", "production"] as const;
export const APP_ENVS = ["development", "test", "staging", "production"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export type AppEnv = (typeof APP_ENVS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Kubernetes kills 30 s after SIGTERM by default; leave a margin for the exit itself. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;
/** Webhook and API payloads are a few kilobytes; 1 MiB leaves room without inviting memory abuse. */
export const DEFAULT_HTTP_BODY_LIMIT_BYTES = 1_048_576;

/** NODE_ENV (library behaviour) and APP_ENV (which deployment this is); both optional. */
export const environmentShape = {
  NODE_ENV: oneOf(NODE_ENVS).optional(),
  APP_ENV: oneOf(APP_ENVS).optional(),
};

type EnvironmentVariables = { NODE_ENV?: string | undefined; APP_ENV?: string | undefined };

/**
 * Production mode is on when EITHER variable says production. Erring towards strict: a staging or
 * production deployment that forgot one of the two still gets the production checks.
 */
export function isProduction(env: EnvironmentVariables): boolean {
  return env.APP_ENV === "production" || env.NODE_ENV === "production";
}

/**
 * Staging and production: the deployed environments, which refuse defaulted identities and
 * infrastructure addresses. Development and test may use the local defaults.
 */
export function isDeployed(env: EnvironmentVariables): boolean {
  return isProduction(env) || env.APP_ENV === "staging";
}

const LOCAL = new Set(["development", "test"]);
const DEPLOYED = new Set(["staging", "production"]);

/**
 * Refuses NODE_ENV and APP_ENV that disagree about whether this is a deployment:
 * `NODE_ENV=production APP_ENV=development` was taken for development, with the local defaults
 * and without production's checks. Refusing is safer than a precedence rule someone has to remember.
 * Agreeing pairs: both local (development/test, in any mix), or NODE_ENV production (or unset) with
 * APP_ENV staging or production (or unset).
 */
export function refuseContradictoryEnvironment(env: EnvironmentVariables, ctx: z.RefinementCtx): void {
  const { NODE_ENV: nodeEnv, APP_ENV: appEnv } = env;
  if (nodeEnv === undefined || appEnv === undefined) return;
  const contradiction =
    (nodeEnv === "production" && LOCAL.has(appEnv)) || (DEPLOYED.has(appEnv) && LOCAL.has(nodeEnv));
  if (!contradiction) return;
  addOwnIssue(ctx, {
    path: ["APP_ENV"],
    message: `is ${appEnv} but NODE_ENV is ${nodeEnv}: a deployment sets NODE_ENV=production (or leaves it unset) with APP_ENV=staging or production, a local run sets both to development or test`,
  });
}

/** APP_ENV when set, else NODE_ENV, else development (the two cannot contradict each other, see above). */
function resolveAppEnv(env: { NODE_ENV?: (typeof NODE_ENVS)[number]; APP_ENV?: AppEnv }): AppEnv {
  if (env.APP_ENV !== undefined) return env.APP_ENV;
  return env.NODE_ENV ?? "development";
}

export interface RuntimeConfig {
  appEnv: AppEnv;
  production: boolean;
  logLevel: LogLevel;
  /** Total time for an orderly shutdown after SIGTERM. */
  shutdownGraceMs: number;
  /** Largest accepted JSON request body. */
  httpBodyLimitBytes: number;
}

export const runtimeSection = z
  .object({
    ...environmentShape,
    /** pino level. */
    LOG_LEVEL: oneOf(LOG_LEVELS).default("info"),
    /** Grace period for the shutdown manager, in milliseconds. */
    SHUTDOWN_GRACE_MS: durationMs({ min: 1 }).default(DEFAULT_SHUTDOWN_GRACE_MS),
    /** JSON body limit for the HTTP server, in bytes (at most 100 MiB). */
    HTTP_BODY_LIMIT_BYTES: positiveInt({ max: 104_857_600 }).default(DEFAULT_HTTP_BODY_LIMIT_BYTES),
  })
  .superRefine(refuseContradictoryEnvironment)
  .transform(
    (env): RuntimeConfig => ({
      appEnv: resolveAppEnv(env),
      production: isProduction(env),
      logLevel: env.LOG_LEVEL,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      httpBodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
    }),
  );
