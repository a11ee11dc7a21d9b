/**
 * A PostgreSQL server of a scenario's own (initdb into a temporary directory, a free port, its own
 * socket directory): the PostgreSQL restart scenario crashes and restarts this one, never the
 * machine's shared server (stack/README.md). The binaries are the machine's (`pg_ctl`, `initdb`, from
 * the directory its `pg_config --bindir` reports). PostgreSQL refuses to run as
 * root, so as root the cluster belongs to the `postgres` account, as in stack/cdc.sh.
 *
 * `crash()` is `pg_ctl stop -m immediate`: every backend is killed without a checkpoint, clients see
 * their connections cut, and the next `start()` runs crash recovery from the WAL — what a killed or
 * power-cut server does. The data survives (fsync stays on: a crash must not lose committed rows).
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "@invoice/testing";

const run = promisify(execFile);
const PG_TIMEOUT_S = 120;

/** The server binaries of the machine's PostgreSQL, as its own `pg_config` reports them. */
async function pgBinDir(): Promise<string> {
  const dir = await run("pg_config", ["--bindir"]).then(
    ({ stdout }) => stdout.trim(),
    () => "",
  );
  if (!dir || !existsSync(join(dir, "initdb")) || !existsSync(join(dir, "pg_ctl")))
    throw new Error("PostgreSQL server binaries (pg_ctl, initdb) not found: apt-get install postgresql");
  return dir;
}

export interface PrivatePostgres {
  /** The server's `postgres` database; createTempDatabase's serverUrl. */
  url: string;
  start(): Promise<void>;
  /** Immediate shutdown: backends killed, no checkpoint; the next start runs crash recovery. */
  crash(): Promise<void>;
  remove(): Promise<void>;
}

export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = await pgBinDir();
  const port = await freePort();
  const base = mkdtempSync(join(tmpdir(), "chaos-postgres-"));
  const data = join(base, "data");
  const sockets = join(base, "sockets");
  const logFile = join(base, "postgres.log");
  const asRoot = process.getuid?.() === 0;
  const pg = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args]) : run(join(bin, tool), args);
  try {
    mkdirSync(data);
    mkdirSync(sockets);
    if (asRoot) {
      const { stdout } = await run("id", ["-u", "postgres"]);
      const uid = Number(stdout.trim());
      for (const path of [base, data, sockets]) chownSync(path, uid, uid);
    }
    await pg("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
      "--no-instructions",
    ]);
    writeFileSync(
      join(data, "postgresql.conf"),
      [
        "",
        "# ---- test/chaos/private-postgres.ts",
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${sockets}'`,
        "max_connections = 100",
        "shared_buffers = 32MB",
        "",
      ].join("\n"),
      { flag: "a" },
    );
  } catch (error) {
    // Nothing runs yet: the directory is all there is to clean up.
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  const ctl = (args: string[]) => pg("pg_ctl", ["-D", data, "-t", String(PG_TIMEOUT_S), ...args]);
  const running = () => existsSync(join(data, "postmaster.pid"));
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      try {
        await ctl(["-l", logFile, "-w", "start"]);
      } catch (error) {
        throw new Error(`private PostgreSQL did not start (log: ${logFile}): ${(error as Error).message}`);
      }
    },
    async crash() {
      if (running()) await ctl(["-m", "immediate", "-w", "stop"]);
    },
    async remove() {
      if (running()) await ctl(["-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
