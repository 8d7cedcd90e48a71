import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface UrlFetchOptions {
  maxBytes: number;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  maxRedirects: number;
  /**
   * Hosts and networks allowed even though they are loopback, private, link-local or otherwise
   * not public: host names ("intranet.example"), addresses ("10.0.0.5") or CIDR ranges ("10.0.0.0/8").
   */
  allow: readonly string[];
}

export interface FetchedUrl {
  /** The URL after redirects. */
  url: string;
  status: number;
  contentType: string | undefined;
  /** The file name from Content-Disposition or the path, if any. */
  fileName: string | undefined;
  body: Buffer;
}

export type UrlRefusal =
  'scheme' | 'address' | 'redirects' | 'too_large' | 'timeout' | 'status' | 'network';

export class UrlFetchError extends Error {
  constructor(
    readonly reason: UrlRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Ranges ipaddr.js names that a server-side fetch must not reach unless allowed. */
const PUBLIC_RANGES = new Set(['unicast']);
/** IPv6 global unicast (RFC 4291); ranges inside it that ipaddr.js names (6to4, teredo, ...) are refused above. */
const GLOBAL_IPV6 = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];
/** Host names of cloud metadata services, refused whatever they resolve to. */
const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata',
  'instance-data',
  'metadata.azure.com',
]);

function allowedBy(
  allow: readonly string[],
  host: string,
  address?: ipaddr.IPv4 | ipaddr.IPv6,
): boolean {
  for (const rule of allow) {
    if (rule.toLowerCase() === host.toLowerCase()) return true;
    if (!address) continue;
    try {
      if (rule.includes('/')) {
        const [net, bits] = ipaddr.parseCIDR(rule);
        if (net.kind() === address.kind() && address.match([net, bits] as [typeof address, number]))
          return true;
      } else if (ipaddr.isValid(rule) && ipaddr.process(rule).toString() === address.toString()) {
        return true;
      }
    } catch {
      // not an address rule
    }
  }
  return false;
}

/** Why an address may not be fetched, or undefined when it may. */
export function refusedAddress(
  address: string,
  host: string,
  allow: readonly string[],
): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
  } catch {
    return `${address} is not an IP address`;
  }
  if (allowedBy(allow, host, parsed)) return undefined;
  const range = parsed.range();
  // IPv6 is globally routable only inside 2000::/3; ::/96 (IPv4-compatible, e.g. [::127.0.0.1]),
  // ::ffff:0:0/96 left unmapped, and every other special block fall outside it.
  const outsideGlobal = parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_IPV6);
  return PUBLIC_RANGES.has(range) && !outsideGlobal
    ? undefined
    : `${host} resolves to ${parsed.toString()} (${outsideGlobal && range === 'unicast' ? 'not global unicast' : range}), which is not a public address`;
}

/**
 * Fetches a URL for ingestion with the protections a server-side fetch needs: http(s) only; every
 * address a host resolves to checked (loopback, private, link-local, metadata and other non-public
 * ranges refused unless allowed) at connection time, so DNS rebinding cannot swap it afterwards;
 * redirects followed by hand, each hop checked again; a size limit while streaming and a time limit
 * for the whole fetch.
 */
export async function fetchUrl(input: string, options: UrlFetchOptions): Promise<FetchedUrl> {
  const deadline = Date.now() + options.timeoutMs;
  let url = parseUrl(input);
  for (let hop = 0; ; hop++) {
    const res = await get(url, options, deadline);
    if (res.status >= 300 && res.status < 400 && res.location) {
      if (hop >= options.maxRedirects)
        throw new UrlFetchError('redirects', `more than ${options.maxRedirects} redirects`);
      url = parseUrl(new URL(res.location, url).toString());
      continue;
    }
    if (res.status < 200 || res.status >= 300)
      throw new UrlFetchError('status', `${url.toString()} answered ${res.status}`);
    return {
      url: url.toString(),
      status: res.status,
      contentType: res.contentType,
      fileName: res.fileName ?? fileNameOf(url),
      body: res.body!,
    };
  }
}

function parseUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UrlFetchError('scheme', `not a URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UrlFetchError(
      'scheme',
      `only http and https URLs can be fetched, not ${url.protocol}`,
    );
  if (url.username || url.password)
    throw new UrlFetchError('scheme', 'URLs with credentials are not fetched');
  return url;
}

function fileNameOf(url: URL): string | undefined {
  const raw = url.pathname.split('/').pop() ?? '';
  let last = raw;
  try {
    last = decodeURIComponent(raw);
  } catch {
    // malformed percent-encoding (%E0%A4%A): keep the name as it was written
  }
  return last || undefined;
}

interface Reply {
  status: number;
  location?: string;
  contentType?: string;
  fileName?: string;
  body?: Buffer;
}

function get(url: URL, options: UrlFetchOptions, deadline: number): Promise<Reply> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (METADATA_HOSTS.has(host.toLowerCase()) && !allowedBy(options.allow, host)) {
    return Promise.reject(new UrlFetchError('address', `${host} is a cloud metadata service`));
  }
  // Every address the connection may use is checked here, when it is resolved for the connection.
  const lookup: LookupFunction = (hostname, opts, callback) => {
    dns.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses;
      for (const a of list) {
        const why = refusedAddress(a.address, hostname, options.allow);
        if (why) return callback(new UrlFetchError('address', why), '', 4);
      }
      if ((opts as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
  const literal = ipaddr.isValid(host) ? refusedAddress(host, host, options.allow) : undefined;
  if (literal) return Promise.reject(new UrlFetchError('address', literal));

  return new Promise<Reply>((resolveReply, rejectReply) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      return rejectReply(new UrlFetchError('timeout', `no answer within ${options.timeoutMs} ms`));
    const timers: NodeJS.Timeout[] = [];
    const resolve = (r: Reply) => {
      timers.forEach(clearTimeout);
      resolveReply(r);
    };
    const reject = (e: Error) => {
      timers.forEach(clearTimeout);
      rejectReply(e);
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.get(
      url,
      { lookup, headers: { 'user-agent': 'ragd', accept: '*/*' } },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ status, location: res.headers.location });
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          res.destroy();
          return reject(
            new UrlFetchError(
              'too_large',
              `${url.toString()} is ${declared} bytes; the limit is ${options.maxBytes}`,
            ),
          );
        }
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            res.destroy();
            reject(
              new UrlFetchError(
                'too_large',
                `${url.toString()} is larger than the limit of ${options.maxBytes} bytes`,
              ),
            );
            return;
          }
          parts.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status,
            contentType: res.headers['content-type'],
            fileName: /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(
              res.headers['content-disposition'] ?? '',
            )?.[1],
            body: Buffer.concat(parts),
          }),
        );
        res.on('error', (e) => reject(new UrlFetchError('network', e.message)));
      },
    );
    const timer = setTimeout(() => {
      const e = new UrlFetchError(
        'timeout',
        `no complete answer from ${url.host} within ${options.timeoutMs} ms`,
      );
      req.destroy(e);
      reject(e);
    }, remaining);
    timers.push(timer);
    req.on('error', (e) =>
      reject(
        e instanceof UrlFetchError ? e : new UrlFetchError('network', `${url.host}: ${e.message}`),
      ),
    );
  });
}
