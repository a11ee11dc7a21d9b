/**
 * Which offsets above a partition's committed offset are already finished, carried in the commit's
 * metadata string (Kafka stores up to offset.metadata.max.bytes, 4,096 by default, with each
 * committed offset). After a restart or rebalance the next owner skips those records, so only the
 * unfinished ones come again, not everything above the lowest unfinished record (the idea of
 * Confluent Parallel Consumer's offset map).
 *
 * Format: `f1:` then comma-separated runs `<start>.<length>`, both base 36, `start` relative to the
 * committed offset. Example: offset 100 committed, 102-104 and 110 finished → `f1:2.3,a.1`. Runs
 * that do not fit in `maxChars` are left out: a record not listed is simply processed again.
 */
export type Run = readonly [start: bigint, end: bigint];

const PREFIX = "f1:";
export const MAX_METADATA_CHARS = 4_000;

export function encodeFinished(
  committed: bigint,
  runs: readonly Run[],
  maxChars = MAX_METADATA_CHARS,
): string {
  let text = PREFIX;
  for (const [start, end] of runs) {
    if (start <= committed || end <= start) continue;
    const part = `${(start - committed).toString(36)}.${(end - start).toString(36)}`;
    const next = text === PREFIX ? `${text}${part}` : `${text},${part}`;
    if (next.length > maxChars) break;
    text = next;
  }
  return text === PREFIX ? "" : text;
}

/** The finished runs a commit's metadata lists; nothing for anything else (other tools' metadata). */
export class FinishedRanges {
  private constructor(private readonly runs: Run[]) {}

  static parse(committed: bigint, metadata: string | null | undefined): FinishedRanges {
    const runs: Run[] = [];
    if (!metadata?.startsWith(PREFIX)) return new FinishedRanges(runs);
    let previousEnd = committed;
    for (const part of metadata.slice(PREFIX.length).split(",")) {
      const match = /^([0-9a-z]{1,13})\.([0-9a-z]{1,13})$/.exec(part);
      if (!match) return new FinishedRanges([]);
      const start = committed + parseBase36(match[1] as string);
      const end = start + parseBase36(match[2] as string);
      // Runs must be ascending and disjoint, above the committed offset: otherwise distrust it all.
      if (start <= committed || start < previousEnd || end <= start) return new FinishedRanges([]);
      runs.push([start, end]);
      previousEnd = end;
    }
    return new FinishedRanges(runs);
  }

  get size(): number {
    return this.runs.length;
  }

  has(offset: bigint): boolean {
    let low = 0;
    let high = this.runs.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const [start, end] = this.runs[mid] as Run;
      if (offset < start) high = mid - 1;
      else if (offset >= end) low = mid + 1;
      else return true;
    }
    return false;
  }
}

function parseBase36(text: string): bigint {
  let value = 0n;
  for (const char of text) value = value * 36n + BigInt(Number.parseInt(char, 36));
  return value;
}
