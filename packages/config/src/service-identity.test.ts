import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "./config-error.ts";
import { type Env, loadConfig } from "./load-config.ts";
import {
  consumerGroupId,
  DEFAULT_SERVICE_CODE,
  kafkaClientId,
  SERVICE_DEFAULT_PORTS,
  serviceIdentitySection,
} from "./service-identity.ts";

const issuer = serviceIdentitySection({ service: "issuer", defaultPort: SERVICE_DEFAULT_PORTS.issuer });
const PRODUCTION_IDENTITY = {
  APP_ENV_INVOICE_SERVICE_CODE: "SVC-00150-INVOICE",
  APP_ENV_INVOICE_WORKER_ID: "7",
  PORT: "31142",
};

function issues(env: Env): ConfigIssue[] {
  try {
    loadConfig(issuer, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error("expected a ConfigError");
}

describe("consumerGroupId", () => {
  it("derives the existing deployment's main group and role groups", () => {
    expect(consumerGroupId(DEFAULT_SERVICE_CODE)).toBe("SVC-00150-INVOICE_CONSUMER");
    expect(consumerGroupId(DEFAULT_SERVICE_CODE, "CDC_SYNC")).toBe("SVC-00150-INVOICE_CDC_SYNC_CONSUMER");
    expect(consumerGroupId("SVC-00999-INVOICE", "RETRY")).toBe("SVC-00999-INVOICE_RETRY_CONSUMER");
  });

  it.each(["retry", "Retry", "_RETRY", "RETRY_", "RE-TRY", "", "RETRY__X"])("refuses role %j", (role) => {
    expect(() => consumerGroupId(DEFAULT_SERVICE_CODE, role)).toThrow(TypeError);
  });

  it("refuses a service code that would make ids ambiguous", () => {
    expect(() => consumerGroupId("SVC_1")).toThrow(TypeError);
  });
});

describe("kafkaClientId", () => {
  it("is the code plus the service name in upper snake case", () => {
    expect(kafkaClientId(DEFAULT_SERVICE_CODE, "cdc-sync")).toBe("SVC-00150-INVOICE_CDC_SYNC");
    expect(kafkaClientId(DEFAULT_SERVICE_CODE, "issuer")).toBe("SVC-00150-INVOICE_ISSUER");
  });
});

describe("serviceIdentitySection", () => {
  it("in development and test, defaults code, worker id 0 and the service's port", () => {
    expect(loadConfig(issuer, {})).toEqual({
      service: "issuer",
      serviceCode: "SVC-00150-INVOICE",
      kafkaClientId: "SVC-00150-INVOICE_ISSUER",
      workerId: 0,
      port: 31142,
    });
  });

  it("reads explicit values and derives the client id from the code", () => {
    const identity = loadConfig(issuer, {
      APP_ENV_INVOICE_SERVICE_CODE: "SVC-00151-INVOICE",
      APP_ENV_INVOICE_WORKER_ID: "1023",
      PORT: "8080",
    });
    expect(identity).toMatchObject({
      serviceCode: "SVC-00151-INVOICE",
      kafkaClientId: "SVC-00151-INVOICE_ISSUER",
      workerId: 1023,
      port: 8080,
    });
  });

  it.each([
    ["worker id 1024", { APP_ENV_INVOICE_WORKER_ID: "1024" }, "APP_ENV_INVOICE_WORKER_ID"],
    ["negative worker id", { APP_ENV_INVOICE_WORKER_ID: "-1" }, "APP_ENV_INVOICE_WORKER_ID"],
    ["non-numeric worker id", { APP_ENV_INVOICE_WORKER_ID: "pod-3" }, "APP_ENV_INVOICE_WORKER_ID"],
    ["code with underscore", { APP_ENV_INVOICE_SERVICE_CODE: "SVC_00150" }, "APP_ENV_INVOICE_SERVICE_CODE"],
    ["code with space", { APP_ENV_INVOICE_SERVICE_CODE: "SVC 00150" }, "APP_ENV_INVOICE_SERVICE_CODE"],
    ["code too long", { APP_ENV_INVOICE_SERVICE_CODE: "A".repeat(101) }, "APP_ENV_INVOICE_SERVICE_CODE"],
    ["port out of range", { PORT: "70000" }, "PORT"],
  ])("refuses a %s", (_name, env, variable) => {
    expect(issues(env).map((issue) => issue.variable)).toEqual([variable]);
  });

  it("each service gets its own default port", () => {
    for (const [service, defaultPort] of Object.entries(SERVICE_DEFAULT_PORTS)) {
      expect(loadConfig(serviceIdentitySection({ service, defaultPort }), {}).port).toBe(defaultPort);
    }
    expect(SERVICE_DEFAULT_PORTS).toEqual({ ingest: 31140, claims: 31141, issuer: 31142, "cdc-sync": 31143 });
  });

  it("refuses a service name that is not kebab-case", () => {
    expect(() => serviceIdentitySection({ service: "Issuer", defaultPort: 1 })).toThrow(TypeError);
  });

  describe("in staging and production", () => {
    it.each([{ NODE_ENV: "production" }, { APP_ENV: "production" }, { APP_ENV: "staging" }])(
      "refuses to default the service code, worker id and port (%j), naming each",
      (mode) => {
        const found = issues(mode);
        expect(found.map((issue) => issue.variable)).toEqual([
          "APP_ENV_INVOICE_SERVICE_CODE",
          "APP_ENV_INVOICE_WORKER_ID",
          "PORT",
        ]);
        expect(found[1]?.reason).toMatch(
          /must be set explicitly in staging and production.*Snowflake ids collide/,
        );
      },
    );

    it("refuses each missing identity variable on its own", () => {
      for (const variable of Object.keys(PRODUCTION_IDENTITY)) {
        const env: Env = { ...PRODUCTION_IDENTITY, APP_ENV: "production", [variable]: undefined };
        expect(issues(env).map((issue) => issue.variable)).toEqual([variable]);
      }
    });

    it("treats an empty variable as unset", () => {
      const env = { ...PRODUCTION_IDENTITY, APP_ENV: "production", APP_ENV_INVOICE_WORKER_ID: " " };
      expect(issues(env).map((issue) => issue.variable)).toEqual(["APP_ENV_INVOICE_WORKER_ID"]);
    });

    it("accepts explicit values, including the default service code and worker id 0", () => {
      const identity = loadConfig(issuer, {
        ...PRODUCTION_IDENTITY,
        APP_ENV_INVOICE_WORKER_ID: "0",
        NODE_ENV: "production",
      });
      expect(identity).toMatchObject({ serviceCode: "SVC-00150-INVOICE", workerId: 0, port: 31142 });
    });

    it("refuses port 0", () => {
      const found = issues({ ...PRODUCTION_IDENTITY, PORT: "0", APP_ENV: "production" });
      expect(found).toEqual([
        { variable: "PORT", reason: "must not be 0 (a random port) in staging or production" },
      ]);
    });

    it("reports missing identity together with other bad values", () => {
      const found = issues({ APP_ENV: "production", APP_ENV_INVOICE_WORKER_ID: "5000", PORT: "31142" });
      expect(found.map((issue) => issue.variable)).toEqual([
        "APP_ENV_INVOICE_WORKER_ID",
        "APP_ENV_INVOICE_SERVICE_CODE",
      ]);
    });
  });
});
