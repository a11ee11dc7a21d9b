import { describe, expect, it } from "vitest";
import { CommitGuard } from "./commit-guard.ts";

const A0 = { topic: "a", partition: 0 };
const A1 = { topic: "a", partition: 1 };
const B0 = { topic: "b", partition: 0 };

describe("CommitGuard", () => {
  it("sends entries of assigned partitions and skips the others as not-assigned", () => {
    const guard = new CommitGuard();
    const { send, skipped } = guard.check(
      [
        { ...A0, offset: "5" },
        { ...B0, offset: "7" },
      ],
      [A0, A1],
    );
    expect(send).toEqual([{ ...A0, offset: "5" }]);
    expect(skipped).toEqual([{ ...B0, offset: "7", reason: "not-assigned" }]);
  });

  it("never goes back behind, or repeats, what was committed", () => {
    const guard = new CommitGuard();
    guard.committed([{ ...A0, offset: "8" }]);
    for (const offset of ["3", "7", "8"]) {
      expect(guard.check([{ ...A0, offset }], [A0]).skipped).toEqual([
        { ...A0, offset, reason: "not-ahead" },
      ]);
    }
    expect(guard.check([{ ...A0, offset: "9" }], [A0]).send).toEqual([{ ...A0, offset: "9" }]);
  });

  it("sends the same offset again only with other metadata", () => {
    const guard = new CommitGuard();
    guard.committed([{ ...A0, offset: "8", metadata: "f1:2.1" }]);
    expect(guard.check([{ ...A0, offset: "8", metadata: "f1:2.1" }], [A0]).send).toEqual([]);
    expect(guard.check([{ ...A0, offset: "8", metadata: "f1:2.3" }], [A0]).send).toEqual([
      { ...A0, offset: "8", metadata: "f1:2.3" },
    ]);
    expect(guard.check([{ ...A0, offset: "7", metadata: "f1:9.1" }], [A0]).send).toEqual([]);
  });

  it("keeps the highest of several entries for one partition", () => {
    const guard = new CommitGuard();
    const { send, skipped } = guard.check(
      [
        { ...A0, offset: "4" },
        { ...A0, offset: "9" },
        { ...A0, offset: "6" },
      ],
      [A0],
    );
    expect(send).toEqual([{ ...A0, offset: "9" }]);
    expect(skipped.map((s) => s.offset).sort()).toEqual(["4", "6"]);
  });

  it("refuses offsets behind the first one fetched since the join, and negative ones", () => {
    const guard = new CommitGuard();
    guard.fetched("a", 0, "100");
    guard.fetched("a", 0, "150"); // later batches do not move the fetch start
    expect(guard.check([{ ...A0, offset: "99" }], [A0]).send).toEqual([]);
    expect(guard.check([{ ...A0, offset: "100" }], [A0]).send).toEqual([{ ...A0, offset: "100" }]);
    expect(guard.check([{ ...A1, offset: "-1" }], [A1]).skipped[0]?.reason).toBe("not-ahead");
  });

  it("forgets everything on a group join (the fetch position comes from the broker again)", () => {
    const guard = new CommitGuard();
    guard.committed([{ ...A0, offset: "50" }]);
    guard.fetched("a", 0, "40");
    guard.reset();
    expect(guard.check([{ ...A0, offset: "45" }], [A0]).send).toEqual([{ ...A0, offset: "45" }]);
  });

  it("compares offsets as 64-bit integers, not as strings", () => {
    const guard = new CommitGuard();
    guard.committed([{ ...A0, offset: "9" }]);
    expect(guard.check([{ ...A0, offset: "10" }], [A0]).send).toHaveLength(1);
    guard.committed([{ ...A0, offset: "9007199254740993" }]);
    expect(guard.check([{ ...A0, offset: "9007199254740992" }], [A0]).send).toEqual([]);
  });
});
