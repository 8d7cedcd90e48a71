import * as ipaddr from 'ipaddr.js';
import * as os from 'node:os';

/** Methods that change nothing here, so a foreign page may send them (it cannot read the answer). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether HOST names this machine only: localhost, 127.0.0.0/8, ::1 (or ::ffff:127.x). */
export function isLoopbackHost(host: string): boolean {
  const h = unbracket(host.toLowerCase());
  if (h === 'localhost') return true;
  if (!ipaddr.isValid(h)) return false;
  return ipaddr.process(h).range() === 'loopback';
}

/** The host names (no port) a request's Host header may carry; `*` any. */
export class AllowedHosts {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly any: boolean;

  /**
   * Always the loopback names (a page elsewhere cannot send them: DNS rebinding needs its own
   * name) and the bind address (with 0.0.0.0 or ::, every address of this machine's interfaces),
   * plus `extra` (ALLOWED_HOSTS): names, `*.example.com` for any subdomain, `*` for any host.
   */
  constructor(bindHost: string, extra: readonly string[], interfaces = localAddresses()) {
    this.any = extra.includes('*');
    for (const name of ['localhost', '127.0.0.1', '[::1]']) this.exact.add(name);
    const bind = unbracket(bindHost.toLowerCase());
    if (bind === '0.0.0.0' || bind === '::')
      for (const a of interfaces) this.exact.add(hostName(a));
    else this.exact.add(hostName(bind));
    for (const e of extra) {
      const name = e.toLowerCase();
      if (name.startsWith('*.')) this.suffixes.push(name.slice(1));
      else if (name !== '*') this.exact.add(hostName(unbracket(name)));
    }
  }

  /** Whether a Host header (name or address, with or without a port) is allowed. */
  allows(hostHeader: string | undefined): boolean {
    if (this.any) return true;
    if (!hostHeader) return false;
    const name = stripPort(hostHeader.toLowerCase());
    return this.exact.has(name) || this.suffixes.some((s) => name.endsWith(s));
  }
}

/**
 * Why a request is refused as a cross-site one, or undefined: a state-changing method (not GET, HEAD,
 * OPTIONS) whose Origin is neither this server's own (the Host it was sent to) nor one of
 * `corsOrigins`, or, without an Origin, that the browser marks `Sec-Fetch-Site` cross-site or
 * same-site. Whatever the content type: a form or a text/plain POST needs no preflight.
 */
export function crossSiteRefusal(
  method: string,
  headers: {
    origin?: string | undefined;
    host?: string | undefined;
    secFetchSite?: string | undefined;
  },
  corsOrigins: ReadonlySet<string>,
): string | undefined {
  if (SAFE_METHODS.has(method)) return undefined;
  const { origin, host, secFetchSite } = headers;
  if (origin !== undefined) {
    if (corsOrigins.has(origin)) return undefined;
    if (origin !== 'null' && host !== undefined && originHost(origin) === host.toLowerCase())
      return undefined;
    return `A ${method} from the page at ${origin} is refused: it is not this server's origin and not in CORS_ORIGINS`;
  }
  if (secFetchSite === 'cross-site' || secFetchSite === 'same-site')
    return `A ${method} sent by a browser from another site (Sec-Fetch-Site: ${secFetchSite}) is refused`;
  return undefined;
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function unbracket(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** An address or name as it appears in a Host header without its port: IPv6 in brackets. */
function hostName(h: string): string {
  return h.includes(':') ? `[${h}]` : h;
}

/** "example.com:3000" → "example.com"; "[::1]:3000" → "[::1]". */
function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function localAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .map((i) => i?.address)
    .filter((a): a is string => typeof a === 'string')
    .map((a) => a.toLowerCase().replace(/%.*$/, ''));
}
