/**
 * A claim's whole path, for the end-to-end browser test: the real issuer (its main.ts as a child
 * process, started by the issuer's own integration fixture, `@invoice/issuer/testing`) against a
 * provider simulator of the test's own, and the claims API on the issuer's database and issuance
 * topic, listening where the issuer's claim links point (one CLAIMS_LINK_BASE_URL for both, as in a
 * deployment).
 */
import { type IssuerFixture, startIssuer } from "@invoice/issuer/testing";
import {
  type RunningSimulator,
  type SimulatorConfigInput,
  startSimulator,
} from "@invoice/provider-simulator";
import { freePort } from "@invoice/testing";
import {
  type ClaimsStack,
  GENEROUS_LIMITS,
  type IssuanceTopic,
  type RunningClaims,
  readIssuanceTopic,
  startClaimsApi,
  startClaimsStack,
} from "./claims-stack.ts";

export interface IssuerWorld {
  simulator: RunningSimulator;
  issuer: IssuerFixture;
  stack: ClaimsStack;
  /** The issuer's issuance topic, read from the start (the test's payments and claims' ClaimSubmitted). */
  topic: IssuanceTopic;
  api: RunningClaims;
  /** CLAIMS_LINK_BASE_URL of both services: the claims API's own address. */
  linkBaseUrl: string;
  close(): Promise<void>;
}

export async function startIssuerWorld(
  name: string,
  simulator: SimulatorConfigInput = {},
): Promise<IssuerWorld> {
  // The issuer needs the link before the claims API (on the issuer's database) can start.
  const port = await freePort();
  const linkBaseUrl = `http://127.0.0.1:${port}/v1/api/claims/`;
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of closers.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const sim = await startSimulator({ port: 0, config: simulator });
    closers.push(() => sim.close());
    const issuer = await startIssuer({ CLAIMS_LINK_BASE_URL: linkBaseUrl }, sim);
    closers.push(() => issuer.stop());
    const stack = await startClaimsStack(name, {
      databaseUrl: issuer.database.url,
      topic: issuer.topics.issuance,
    });
    closers.push(() => stack.close());
    const topic = await readIssuanceTopic(stack);
    closers.push(() => topic.stop());
    const api = await startClaimsApi(stack, {
      env: { ...GENEROUS_LIMITS, CLAIMS_LINK_BASE_URL: linkBaseUrl },
      port,
    });
    closers.push(() => api.close());
    return { simulator: sim, issuer, stack, topic, api, linkBaseUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}
