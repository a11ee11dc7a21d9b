import { z } from "zod";
import { envField, integer, port } from "./fields.ts";
import { addOwnIssue } from "./own-issue.ts";
import { environmentShape, isDeployed, refuseContradictoryEnvironment } from "./runtime.ts";

/** The platform's service code in the existing deployment; its consumer group is `SVC-00150-INVOICE_CONSUMER`. */
export const DEFAULT_SERVICE_CODE = "SVC-00150-INVOICE";
export const DEFAULT_WORKER_ID = 0;

export const SERVICE_DEFAULT_PORTS = {
  ingest: 31140,
  claims: 31141,
  issuer: 31142,
  "cdc-sync": 31143,
} as const;

/**
 * Letters, digits, "." and "-" only: "_" is the separator in the derived Kafka ids, so keeping it out of
 * the code keeps `<code>_<ROLE>_CONSUMER` unambiguous. Kafka allows [a-zA-Z0-9._-] in these ids.
 */
const SERVICE_CODE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/;
const ROLE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const SERVICE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Kafka consumer group ids, derived from the service code:
 * - main group: `<code>_CONSUMER` — the existing deployment's `SVC-00150-INVOICE_CONSUMER`; exactly one
 *   consumer (the issuance consumer) may use it, or two services would split one group's partitions;
 * - any other group: `<code>_<ROLE>_CONSUMER`, e.g. `SVC-00150-INVOICE_CDC_SYNC_CONSUMER`.
 * Changing a group id makes the consumer start from the reset policy instead of its committed offsets.
 */
export function consumerGroupId(serviceCode: string, role?: string): string {
  assertServiceCode(serviceCode);
  if (role === undefined) return `${serviceCode}_CONSUMER`;
  if (!ROLE.test(role)) throw new TypeError(`consumer role must be UPPER_SNAKE_CASE, got "${role}"`);
  return `${serviceCode}_${role}_CONSUMER`;
}

/**
 * Kafka client id `<code>_<SERVICE>` (e.g. `SVC-00150-INVOICE_CDC_SYNC`): one per service, not per replica,
 * because broker quotas and request metrics are keyed by client id.
 */
export function kafkaClientId(serviceCode: string, service: string): string {
  assertServiceCode(serviceCode);
  return `${serviceCode}_${service.toUpperCase().replaceAll("-", "_")}`;
}

function assertServiceCode(serviceCode: string): void {
  if (!SERVICE_CODE.test(serviceCode)) throw new TypeError(`invalid service code "${serviceCode}"`);
}

export interface ServiceIdentity {
  /** Service name within the platform: ingest, claims, issuer, cdc-sync. */
  service: string;
  serviceCode: string;
  kafkaClientId: string;
  /** Snowflake worker id, 0–1023; unique per running replica. */
  workerId: number;
  port: number;
}

export interface ServiceIdentityOptions {
  service: string;
  defaultPort: number;
}

const serviceCode = () =>
  envField((raw) =>
    SERVICE_CODE.test(raw)
      ? { ok: true as const, value: raw }
      : {
          ok: false as const,
          reason: 'must be letters, digits, "." or "-" (at most 100), like SVC-00150-INVOICE',
        },
  );

/**
 * Variables a deployed environment (staging or production) refuses to default, with what goes wrong if
 * two deployments shared them. Staging counts: a staging deployment on a shared Kafka with a defaulted
 * code would join production's consumer group and take its partitions.
 */
const REQUIRED_WHEN_DEPLOYED = {
  APP_ENV_INVOICE_SERVICE_CODE:
    "must be set explicitly in staging and production: client and consumer group ids derive from it, and a defaulted code lets two deployments join each other's groups",
  APP_ENV_INVOICE_WORKER_ID:
    "must be set explicitly in staging and production: each running replica needs its own worker id (0-1023) or Snowflake ids collide",
  PORT: "must be set explicitly in staging and production, matching what the load balancer or nginx upstream targets",
} as const;

/**
 * Who this process is: service code, derived Kafka client id, Snowflake worker id and HTTP port.
 * In staging and production the code, the worker id and the port must be set explicitly — any
 * value, including the default one (the existing deployment runs as SVC-00150-INVOICE), but never left
 * unset — so that two deployments can never silently share an identity.
 */
export function serviceIdentitySection({ service, defaultPort }: ServiceIdentityOptions) {
  if (!SERVICE.test(service)) throw new TypeError(`service name must be kebab-case, got "${service}"`);
  return z
    .object({
      ...environmentShape,
      /** Platform service code; Kafka ids derive from it. */
      APP_ENV_INVOICE_SERVICE_CODE: serviceCode().optional(),
      /** Snowflake worker id of this replica. */
      APP_ENV_INVOICE_WORKER_ID: integer({ min: 0, max: 1023 }).optional(),
      /** HTTP listen port. */
      PORT: port().optional(),
    })
    .superRefine((env, ctx) => {
      // Runs even when other fields failed, so production gaps are listed together with bad values.
      refuseContradictoryEnvironment(env, ctx);
      if (!isDeployed(env)) return;
      for (const [variable, reason] of Object.entries(REQUIRED_WHEN_DEPLOYED)) {
        if (env[variable as keyof typeof REQUIRED_WHEN_DEPLOYED] === undefined) {
          addOwnIssue(ctx, { path: [variable], message: reason });
        }
      }
      if (env.PORT === 0) {
        addOwnIssue(ctx, {
          path: ["PORT"],
          message: "must not be 0 (a random port) in staging or production",
        });
      }
    })
    .transform((env): ServiceIdentity => {
      const code = env.APP_ENV_INVOICE_SERVICE_CODE ?? DEFAULT_SERVICE_CODE;
      return {
        service,
        serviceCode: code,
        kafkaClientId: kafkaClientId(code, service),
        workerId: env.APP_ENV_INVOICE_WORKER_ID ?? DEFAULT_WORKER_ID,
        port: env.PORT ?? defaultPort,
      };
    });
}
