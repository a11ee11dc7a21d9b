/**
 * Kafka's default key partitioner, bit for bit: `toPositive(murmur2(keyBytes)) % numPartitions`
 * (org.apache.kafka.common.utils.Utils#murmur2 and BuiltInPartitioner#partitionForKey).
 *
 * Every producer of `invoice.issuance` — ours, commerce's Java services, Kafka's console tools —
 * must put an order on the same partition, or per-order ordering breaks silently. The integration
 * suite checks this function against the Java client itself.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;

  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4] ?? 0) |
      ((data[i4 + 1] ?? 0) << 8) |
      ((data[i4 + 2] ?? 0) << 16) |
      ((data[i4 + 3] ?? 0) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }

  // Java's switch falls through from the highest remaining byte down to the lowest.
  const tail = length4 * 4;
  const remaining = length % 4;
  if (remaining >= 3) h ^= (data[tail + 2] ?? 0) << 16;
  if (remaining >= 2) h ^= (data[tail + 1] ?? 0) << 8;
  if (remaining >= 1) {
    h ^= data[tail] ?? 0;
    h = Math.imul(h, M);
  }

  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs, which differs for MIN_VALUE). */
function toPositive(n: number): number {
  return n & 0x7fffffff;
}

export function partitionForKey(key: string | Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  return toPositive(murmur2(bytes)) % numPartitions;
}
