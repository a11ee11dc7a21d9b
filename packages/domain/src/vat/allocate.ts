/**
 * Shares `total` out in proportion to `weights` so that the shares are whole numbers adding up to
 * `total` exactly (largest remainder / Hamilton method). Ties go to the larger weight, then to the
 * earlier position, so the result is deterministic.
 */
export function allocateLargestRemainder(total: bigint, weights: readonly bigint[]): bigint[] {
  const weightSum = weights.reduce((sum, w) => sum + w, 0n);
  if (total < 0n || weights.some((w) => w < 0n))
    throw new RangeError("allocation expects non-negative values");
  if (weightSum === 0n) {
    if (total !== 0n) throw new RangeError("cannot allocate a non-zero total over zero weights");
    return weights.map(() => 0n);
  }
  const shares = weights.map((w) => (total * w) / weightSum);
  let left = total - shares.reduce((sum, s) => sum + s, 0n);
  const order = weights
    .map((w, index) => ({ index, w, remainder: (total * w) % weightSum }))
    .sort((a, b) => cmp(b.remainder, a.remainder) || cmp(b.w, a.w) || a.index - b.index);
  for (const { index } of order) {
    if (left === 0n) break;
    shares[index] = (shares[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return shares;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
