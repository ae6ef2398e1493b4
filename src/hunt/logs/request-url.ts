/**
 * Builds the RequestURL column of network sensors (Suricata, Zeek) that log an HTTP request as a
 * host, a request target and ports, without the URL that the client wrote.
 */

/** HTTP request parts as a sensor logs them. */
export interface RequestParts {
  /** Host header or URI host, with or without a port. */
  host?: string;
  /** Request target: `/path?query`, an absolute URL, `host:port` (CONNECT) or `*`. */
  target: string;
  /** Port of the request URL, from the Host header or the server side of the connection. */
  port?: number;
  /** Server address, the host of a request that names none (HTTP/1.0 without Host). */
  serverIp?: string;
}

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;
const AUTHORITY_FORM = /^[^/?#]+:\d+$/;
const ENDS_IN_PORT = /:\d+$/;

/**
 * Returns `host[:port]/path?query`, the URL that URL hunts compare through `urlKey`. The port is
 * written unless it is 80 or 443, because `urlKey` drops those two from the authority, so a
 * request to port 8082 matches `http://host:8082/...` and a request to port 80 matches
 * `http://host/...`. A target in absolute form or in CONNECT's authority form is returned as
 * logged, since it names its own host and port. Returns undefined when there is no host.
 */
export function buildRequestUrl(parts: RequestParts): string | undefined {
  const { target } = parts;
  if (ABSOLUTE_FORM.test(target) || AUTHORITY_FORM.test(target)) return target;

  const host = parts.host ?? parts.serverIp;
  if (host === undefined || host === '') return undefined;
  let authority = host.includes(':') && !host.startsWith('[') ? bracketIpv6(host) : host;
  const hasPort = ENDS_IN_PORT.test(authority);
  const port = parts.port;
  if (!hasPort && port !== undefined && port !== 80 && port !== 443) authority += `:${port}`;

  if (target === '*') return authority;
  return target.startsWith('/') ? authority + target : `${authority}/${target}`;
}

/**
 * Brackets an IPv6 literal. A host with exactly one colon is `name:port` and is kept, because an
 * IPv6 address has at least two colons.
 */
function bracketIpv6(host: string): string {
  return host.indexOf(':') === host.lastIndexOf(':') ? host : `[${host}]`;
}

/** Returns a port number from a JSON number or a decimal string, or undefined. */
export function portNumber(value: unknown): number | undefined {
  const port = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port)) return undefined;
  return port >= 1 && port <= 65535 ? port : undefined;
}
