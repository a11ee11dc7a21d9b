/**
 * The SSRF rule for merchant webhook endpoints: a target is allowed only if every address its host
 * resolves to is public unicast (ipaddr.js `range() === "unicast"`: not loopback, private, link-local
 * incl. 169.254.169.254 metadata, CGNAT, unique-local, multicast, reserved, unspecified; IPv4-mapped
 * IPv6 is judged as the IPv4 address it maps). It is checked when an endpoint is registered and again
 * at connect time, on the addresses the connection actually uses (`guardedLookup`), so DNS that
 * changes after registration (rebinding) cannot point a delivery into the platform's own network.
 * Redirects are never followed. `allowPrivate` (local use only; refused in staging/production by the
 * config) lifts the address rule and allows plain http.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export type TargetRefusal =
  | "invalid_url"
  | "scheme_not_allowed"
  | "credentials_in_url"
  | "address_not_allowed"
  | "unresolvable";

export class TargetRefusedError extends Error {
  override readonly name = "TargetRefusedError";
  readonly code = "WEBHOOK_TARGET_REFUSED";
  readonly retriable = false;
  constructor(
    readonly reason: TargetRefusal,
    message: string,
  ) {
    super(message);
  }
}

export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === "unicast";
}

/** The URL rules that need no DNS: scheme and no userinfo. */
export function parseTargetUrl(url: string, allowPrivate: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetRefusedError("invalid_url", "not an absolute URL");
  }
  const schemes = allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(parsed.protocol)) {
    throw new TargetRefusedError(
      "scheme_not_allowed",
      `must use ${allowPrivate ? "http or https" : "https"}`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new TargetRefusedError("credentials_in_url", "must not carry a user name or password");
  }
  return parsed;
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });
}

/** Registration-time check: the URL rules, then every address the host resolves to now. */
export async function checkTarget(url: string, allowPrivate: boolean): Promise<URL> {
  const parsed = parseTargetUrl(url, allowPrivate);
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  let addresses: LookupAddress[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolveAll(host);
  } catch {
    throw new TargetRefusedError("unresolvable", "the host name does not resolve");
  }
  if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) {
    throw new TargetRefusedError("address_not_allowed", "resolves to an address that is not public");
  }
  return parsed;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/tls.connect: resolves every address and refuses the connection unless all are
 * public (with `allowPrivate`, any address). Literal IP hosts go through it too (Node calls lookup for them).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveAll(hostname).then(
      (addresses) => {
        if (
          addresses.length === 0 ||
          (!allowPrivate && !addresses.every((a) => isPublicAddress(a.address)))
        ) {
          const error = new TargetRefusedError(
            "address_not_allowed",
            "webhook target resolves to a non-public address",
          );
          callback(error as unknown as NodeJS.ErrnoException, "", 0);
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]?.address ?? "", addresses[0]?.family ?? 4);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}
