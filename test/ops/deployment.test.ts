/**
 * ops/k8s/, docker-compose.yml, the gateway snippet and the alert rules, checked structurally: they
 * cannot run here (no cluster, no Docker), so the test holds them to what the services' code says —
 * ports, run modes, probes, one image, secrets by reference, autoscaling capped at the partition count,
 * and every alert with a severity and a runbook section that exists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICE_DEFAULT_PORTS } from "@invoice/config";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { ROOT } from "./ops-files.ts";

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked field by field below
type Doc = Record<string, any>;

const K8S = join(ROOT, "ops/k8s");
const docs: Doc[] = readdirSync(K8S)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) =>
    parseAllDocuments(readFileSync(join(K8S, f), "utf8")).map((d) => {
      expect(d.errors, f).toEqual([]);
      return { ...(d.toJS() as Doc), file: f };
    }),
  );
const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);

const API_VERSIONS: Record<string, string> = {
  Namespace: "v1",
  ConfigMap: "v1",
  Service: "v1",
  Deployment: "apps/v1",
  PodDisruptionBudget: "policy/v1",
  Job: "batch/v1",
  ScaledObject: "keda.sh/v1alpha1",
};

/** The run modes a service's main.ts accepts (`modes: [...]` in its launch call), plus migrate. */
function runModes(service: string): string[] {
  const main = readFileSync(join(ROOT, `services/${service}/src/main.ts`), "utf8");
  const modes = /modes: \[([^\]]*)\]/.exec(main)?.[1] ?? "";
  return [...modes.matchAll(/"([a-z]+)"/g)].map((m) => m[1] as string).concat("migrate");
}

/** The service a container runs, from its command (`node --import tsx services/<name>/src/main.ts`). */
function serviceOf(container: Doc): string {
  const path = (container.command as string[]).find((a) => a.startsWith("services/")) ?? "";
  expect(existsSync(join(ROOT, path)), path).toBe(true);
  return path.split("/")[1] as string;
}

describe("ops/k8s manifests", () => {
  it("are known kinds with their API versions, named, in the invoice namespace", () => {
    expect(docs.length).toBeGreaterThan(10);
    for (const d of docs) {
      expect(API_VERSIONS[d.kind], `${d.file} ${d.kind}`).toBe(d.apiVersion);
      expect(typeof d.metadata?.name).toBe("string");
      if (d.kind !== "Namespace")
        expect(d.metadata.namespace, `${d.file} ${d.metadata.name}`).toBe("invoice");
    }
  });

  it("run all four services, on their ports, with /health liveness and /ready readiness, resources, one image", () => {
    const deployments = ofKind("Deployment");
    const images = new Set<string>();
    const services = new Set<string>();
    for (const d of deployments) {
      expect(d.spec.selector.matchLabels).toEqual(
        expect.objectContaining(d.spec.template.metadata.labels as Record<string, string>),
      );
      const [container, ...others] = d.spec.template.spec.containers as Doc[];
      expect(others).toEqual([]);
      if (!container) throw new Error(`${d.metadata.name}: no container`);
      const service = serviceOf(container);
      services.add(service);
      images.add(container.image);
      const port = SERVICE_DEFAULT_PORTS[service as keyof typeof SERVICE_DEFAULT_PORTS];
      expect(container.ports).toEqual([{ name: "http", containerPort: port, protocol: "TCP" }]);
      expect(container.env).toContainEqual({ name: "PORT", value: String(port) });
      expect(runModes(service)).toContain(container.args[0]);
      expect(container.args[0]).not.toBe("migrate");
      expect(container.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
      expect(container.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
      expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits.memory).toEqual(expect.any(String));
      expect(d.spec.template.metadata.annotations["prometheus.io/port"]).toBe(String(port));
    }
    expect([...services].sort()).toEqual(Object.keys(SERVICE_DEFAULT_PORTS).sort());
    expect(images.size).toBe(1);
  });

  it("take secrets by reference only, and configuration from the ConfigMap", () => {
    const configMaps = new Set(ofKind("ConfigMap").map((c) => c.metadata.name as string));
    for (const d of [...ofKind("Deployment"), ...ofKind("Job")]) {
      const container = d.spec.template.spec.containers[0] as Doc;
      for (const e of container.env as Doc[]) {
        if (/SECRET|KEY|DATABASE_URL/.test(e.name)) {
          expect(e.value, `${d.metadata.name} ${e.name}`).toBeUndefined();
          expect(e.valueFrom.secretKeyRef).toEqual({ name: expect.any(String), key: expect.any(String) });
        }
      }
      const refs = (container.envFrom as Doc[]).filter((r) => !r.configMapRef.optional);
      for (const r of refs) expect(configMaps).toContain(r.configMapRef.name);
    }
    for (const c of ofKind("ConfigMap")) {
      expect(Object.keys(c.data).filter((k) => /SECRET|KEY$|PASSWORD|DATABASE_URL/.test(k))).toEqual([]);
    }
  });

  it("give every Deployment a PodDisruptionBudget selecting its pods", () => {
    const budgets = ofKind("PodDisruptionBudget");
    for (const d of ofKind("Deployment")) {
      const labels = d.spec.template.metadata.labels as Record<string, string>;
      const match = budgets.filter((b) =>
        Object.entries(b.spec.selector.matchLabels as Record<string, string>).every(
          ([k, v]) => labels[k] === v,
        ),
      );
      expect(match.length, d.metadata.name).toBe(1);
    }
  });

  it("run migrate as a Job of a service's migrate mode", () => {
    const [job] = ofKind("Job");
    const container = job?.spec.template.spec.containers[0] as Doc;
    expect(container.args).toEqual(["migrate"]);
    expect(runModes(serviceOf(container))).toContain("migrate");
    expect(job?.spec.template.spec.restartPolicy).toBe("Never");
    expect(container.image).toBe(ofKind("Deployment")[0]?.spec.template.spec.containers[0].image);
  });

  it("scale the issuer on lag with KEDA's Kafka scaler, capped at invoice.issuance's partition count", () => {
    const [scaled] = ofKind("ScaledObject");
    const partitions = Number(ofKind("ConfigMap")[0]?.data.INVOICE_ISSUANCE_PARTITIONS);
    expect(partitions).toBeGreaterThan(0);
    expect(scaled?.spec.maxReplicaCount).toBe(partitions);
    expect(ofKind("Deployment").map((d) => d.metadata.name)).toContain(scaled?.spec.scaleTargetRef.name);
    const [trigger] = (scaled?.spec.triggers ?? []) as Doc[];
    expect(trigger).toMatchObject({
      type: "kafka",
      metadata: { topic: "invoice.issuance", allowIdleConsumers: "false" },
    });
  });

  it("route the gateway's invoice_upstream to ingest and claims_upstream to claims, on their ports", () => {
    const conf = readFileSync(join(K8S, "gateway/invoice-upstream.conf"), "utf8");
    const upstream = (name: string) =>
      new RegExp(`upstream ${name} \\{[^}]*server ([\\w.-]+):(\\d+);`).exec(conf);
    expect(upstream("invoice_upstream")?.slice(1)).toEqual([
      "ingest.invoice.svc.cluster.local",
      String(SERVICE_DEFAULT_PORTS.ingest),
    ]);
    expect(upstream("claims_upstream")?.slice(1)).toEqual([
      "claims.invoice.svc.cluster.local",
      String(SERVICE_DEFAULT_PORTS.claims),
    ]);
    const services = new Map(ofKind("Service").map((s) => [s.metadata.name, s.spec.ports[0].port]));
    expect(services.get("ingest")).toBe(SERVICE_DEFAULT_PORTS.ingest);
    expect(services.get("claims")).toBe(SERVICE_DEFAULT_PORTS.claims);
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as Doc;

  it("runs the four services on their ports, after migrate, from the image the manifests deploy", () => {
    const image = ofKind("Deployment")[0]?.spec.template.spec.containers[0].image;
    for (const [service, port] of Object.entries(SERVICE_DEFAULT_PORTS)) {
      const s = compose.services[service] as Doc;
      expect(s.image, service).toBe(image);
      expect(s.environment.PORT).toBe(String(port));
      expect(s.ports).toEqual([`${port}:${port}`]);
      expect(s.command).toContain(`services/${service}/src/main.ts`);
      expect(runModes(service)).toContain(s.command.at(-1));
      expect(s.depends_on.migrate.condition).toBe("service_completed_successfully");
    }
    expect(compose.services.migrate.command.at(-1)).toBe("migrate");
  });
});

describe("alert rules", () => {
  const rules = (parse(readFileSync(join(ROOT, "ops/prometheus/alerts.yml"), "utf8")) as Doc).groups.flatMap(
    (g: Doc) => g.rules as Doc[],
  );
  const runbook = readFileSync(join(ROOT, "docs/runbook.md"), "utf8");
  const anchors = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => (m[1] as string).toLowerCase()));

  it("cover the four runbook alerts, consumer lag, an open breaker and Redis down", () => {
    expect(rules.map((r: Doc) => r.alert)).toEqual(
      expect.arrayContaining([
        "InvoiceIssuanceErrorSpike",
        "InvoiceDlqGrowth",
        "InvoiceTaxInfoCdcDrift",
        "InvoiceWebhook401Spike",
        "InvoiceConsumerLagHigh",
        "InvoiceProviderBreakerOpen",
        "InvoiceRedisDown",
      ]),
    );
  });

  it("each have a severity and a runbook_url to a section of docs/runbook.md", () => {
    for (const r of rules) {
      expect(["page", "ticket"], r.alert).toContain(r.labels.severity);
      const [file, anchor] = String(r.annotations.runbook_url).split("#");
      expect(file).toBe("docs/runbook.md");
      expect(anchors, r.alert).toContain(anchor);
    }
  });
});
