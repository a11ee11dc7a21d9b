import {
  type Env,
  envSections,
  infrastructureSection,
  loadConfig,
  positiveInt,
  runtimeSection,
  SERVICE_DEFAULT_PORTS,
  serviceIdentitySection,
} from "@invoice/config";
import { z } from "zod";

export type ServiceName = keyof typeof SERVICE_DEFAULT_PORTS;

/** Topic layout (DESIGN.md section 3); retry and DLQ topics always follow invoice.issuance. */
const topicsSection = z
  .object({
    /** Partitions of invoice.issuance (and its retry/DLQ topics) when `migrate` creates them. */
    INVOICE_ISSUANCE_PARTITIONS: positiveInt().default(3),
    /** Partitions of invoice.events when `migrate` creates it. */
    INVOICE_EVENTS_PARTITIONS: positiveInt().default(3),
  })
  .transform((env) => ({
    issuancePartitions: env.INVOICE_ISSUANCE_PARTITIONS,
    eventsPartitions: env.INVOICE_EVENTS_PARTITIONS,
  }));

/**
 * The configuration every service shares. A service's own config.ts adds its section next to these
 * (envSections reports the problems of all sections together).
 */
export function platformSections(service: ServiceName) {
  return {
    runtime: runtimeSection,
    infrastructure: infrastructureSection,
    identity: serviceIdentitySection({ service, defaultPort: SERVICE_DEFAULT_PORTS[service] }),
    topics: topicsSection,
  };
}

export function loadPlatformConfig(service: ServiceName, env: Env) {
  return loadConfig(envSections(platformSections(service)), env);
}

export type PlatformConfig = ReturnType<typeof loadPlatformConfig>;
