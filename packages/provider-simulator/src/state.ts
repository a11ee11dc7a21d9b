import { randomBytes } from "node:crypto";
import type { OutageInput, SimulatorConfig } from "./config.ts";
import { type Random, seededRandom } from "./dice.ts";
import { InvoiceStore } from "./store.ts";

export interface Outage {
  mode: NonNullable<OutageInput["mode"]>;
  untilMs: number;
}

/** Counters the report shows; all reset by POST /admin/reset. */
export function emptyCounters() {
  return {
    login: { ok: 0, refused: 0 },
    createInvoice: { requests: 0, issued: 0, repeats: 0, unauthorized: 0 },
    search: { requests: 0, found: 0, notFound: 0, unauthorized: 0 },
    faults: {
      errors: 0,
      errorsCreated: 0,
      timeouts: 0,
      timeoutsCreated: 0,
      outageRejected: 0,
    },
    async: { accepted: 0, callbacksDelivered: 0, callbacksFailed: 0 },
    /** Refusals by code (validation, date order, unknown series). */
    refusals: {} as Record<string, number>,
  };
}

export type Counters = ReturnType<typeof emptyCounters>;

/** Access tokens are kept until they expire; past this many, expired ones are swept on the next login. */
const TOKEN_SWEEP_THRESHOLD = 10_000;

export class SimulatorState {
  config: SimulatorConfig;
  random: Random;
  store: InvoiceStore;
  counters: Counters = emptyCounters();
  outage: Outage | undefined;
  readonly tokens = new Map<string, { username: string; expiresAtMs: number }>();
  readonly startedAtMs = Date.now();

  constructor(config: SimulatorConfig) {
    this.config = config;
    this.random = config.seed === undefined ? Math.random : seededRandom(config.seed);
    this.store = new InvoiceStore(this.random);
  }

  setConfig(config: SimulatorConfig): void {
    const reseed = config.seed !== this.config.seed;
    this.config = config;
    if (reseed) this.random = config.seed === undefined ? Math.random : seededRandom(config.seed);
  }

  /** Forgets every invoice and counter (the configuration and live tokens stay). */
  reset(): void {
    this.store = new InvoiceStore(this.random);
    this.counters = emptyCounters();
    this.outage = undefined;
  }

  activeOutage(nowMs: number): Outage | undefined {
    if (this.outage && nowMs >= this.outage.untilMs) this.outage = undefined;
    return this.outage;
  }

  issueToken(username: string, nowMs: number): { token: string; expiresInSeconds: number } {
    if (this.tokens.size > TOKEN_SWEEP_THRESHOLD) {
      for (const [token, entry] of this.tokens) if (entry.expiresAtMs <= nowMs) this.tokens.delete(token);
    }
    const token = randomBytes(24).toString("base64url");
    const expiresInSeconds = this.config.tokenTtlSeconds;
    this.tokens.set(token, { username, expiresAtMs: nowMs + expiresInSeconds * 1000 });
    return { token, expiresInSeconds };
  }

  /** The user of a live token, or undefined for an unknown or expired one. */
  tokenUser(token: string | undefined, nowMs: number): string | undefined {
    if (token === undefined) return undefined;
    const entry = this.tokens.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.username;
  }

  refuse(code: string): void {
    this.counters.refusals[code] = (this.counters.refusals[code] ?? 0) + 1;
  }
}
