/**
 * The client address rate limits count by. Behind `trustedHops` reverse proxies, each appending the
 * address it received from to X-Forwarded-For, the client is the entry that many places from the right
 * of [X-Forwarded-For..., peer]; entries further left are whatever the client chose to send, so they
 * are never trusted. With 0 hops the peer address is the client (headers are ignored).
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: number,
): string {
  const own = normalize(peer ?? "unknown");
  if (trustedHops === 0) return own;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const chain = [
    ...header
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== ""),
    own,
  ];
  // Fewer entries than trusted proxies: the request did not come through all of them.
  return normalize(chain[Math.max(0, chain.length - 1 - trustedHops)] ?? own);
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) counts as the IPv4 address it carries. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped?.[1] ?? address).slice(0, 64);
}
