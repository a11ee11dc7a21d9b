import { isPlatformError, isRetriable } from "@invoice/errors";
import { describe, expect, it } from "vitest";
import { launch, UnknownRunModeError } from "./launch.ts";

describe("launch", () => {
  it("refuses an unknown run mode with a non-retriable PlatformError, before reading any configuration", async () => {
    let configRead = false;
    const error = await launch(
      {
        service: "ingest",
        modes: ["api"],
        loadConfig: () => {
          configRead = true;
          throw new Error("must not be called");
        },
      },
      { argv: ["node", "main.ts", "wroker"], env: {} },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnknownRunModeError);
    expect(isPlatformError(error)).toBe(true);
    expect((error as UnknownRunModeError).code).toBe("RUN_MODE_UNKNOWN");
    expect(isRetriable(error)).toBe(false);
    expect((error as Error).message).toContain(
      'unknown run mode "wroker" for ingest; expected one of: api, migrate',
    );
    expect(configRead).toBe(false);
  });
});
