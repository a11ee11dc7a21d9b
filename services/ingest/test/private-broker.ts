/**
 * A Kafka broker of a test's own (KRaft, one node), from the stack's cached jars
 * (`stack/stack.sh kafka-run-class`), on free ports with its own data directory: tests that must stop
 * and restart the broker do it here, never to the shared one. Stopping keeps the data, so a restart
 * is the same cluster with the same records.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "@invoice/testing";

const STACK = fileURLToPath(new URL("../../../stack/stack.sh", import.meta.url));
const JAVA_OPTS = "-Xms128m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function clusterId(): string {
  return randomBytes(16).toString("base64url").replace(/^-/, "A");
}

export interface PrivateBroker {
  brokers: string[];
  start(): Promise<void>;
  /** SIGKILL: the broker vanishes the way a crashed node does. */
  kill(): Promise<void>;
  remove(): Promise<void>;
  log(): string;
}

export async function createPrivateBroker(): Promise<PrivateBroker> {
  const [port, controller] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "ingest-broker-"));
  mkdirSync(join(dir, "data"));
  const props = join(dir, "server.properties");
  writeFileSync(
    props,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=PLAINTEXT",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      `log.dirs=${join(dir, "data")}`,
      "num.partitions=3",
      "auto.create.topics.enable=false",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "transaction.state.log.num.partitions=1",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "num.network.threads=1",
      "num.io.threads=2",
    ].join("\n"),
  );
  const env = { ...process.env, KAFKA_TOOLS_JAVA_OPTS: JAVA_OPTS };
  await new Promise<void>((resolve, reject) => {
    execFile(
      "bash",
      [STACK, "kafka-run-class", "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", props],
      { env, timeout: 120_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(`storage format failed: ${stderr}`)) : resolve()),
    );
  });
  let child: ChildProcess | undefined;
  let output = "";
  const kill = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
  };
  return {
    brokers: [`127.0.0.1:${port}`],
    async start() {
      output = "";
      const proc = spawn("bash", [STACK, "kafka-run-class", "kafka.Kafka", props], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      proc.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
      });
      proc.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
      });
      // The tools' logging is WARN-only (no "Kafka Server started"): wait for the listener instead.
      await waitFor(
        async () => {
          if (proc.exitCode !== null) throw new Error(`private broker exited: ${output.slice(-2_000)}`);
          return portOpen(port);
        },
        { timeoutMs: 120_000, intervalMs: 200, description: "the private broker to listen" },
      );
    },
    kill,
    async remove() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}
