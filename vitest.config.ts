import { defineConfig } from "vitest/config";

// Two tiers (STYLE.md "Tests"):
// - unit: pure logic next to the source (`x.ts` -> `x.test.ts`), no I/O, runs anywhere;
// - integration: against the real local stack (Kafka, Apicurio, PostgreSQL, Redis) that
//   `stack/stack.sh up` starts; the global setup fails fast with the command to run when it is down.
export default defineConfig({
  test: {
    // Flaky tests must be fixed, not retried.
    retry: 0,
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "scripts/**/*.test.ts"],
          // A busy 2-core CI machine (JVMs, Chromium, the integration project) runs unit tests several
          // times slower than an idle one; 5 s (vitest's default) failed property tests there (issue 6).
          // Properties are also bounded by a time budget (10 s) that is well under this timeout.
          testTimeout: 30_000,
          setupFiles: ["./packages/testing/src/property-budget.setup.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "test/**/*.test.ts"],
          // The chaos scenarios' short variants (test/chaos/*.test.ts) are part of it; the long ones
          // are `pnpm chaos` (docs/reliability.md).
          globalSetup: [
            "./packages/testing/src/stack-global-setup.ts",
            // Stops the CDC stack (stack/cdc.sh) after the run when a cdc-sync test started it.
            "./services/cdc-sync/test/cdc-global-setup.ts",
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Integration files share one broker and one database server; isolation comes from
          // unique names (topics, groups, schemas), so files may still run in parallel.
          fileParallelism: true,
        },
      },
    ],
  },
});
