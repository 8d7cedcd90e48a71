import type { Readable } from 'node:stream';
import { EnvHttpProxyAgent, request } from 'undici';
import { DownloadError, httpFailure, networkFailure } from './download-error';

/** Where models come from and how to get there: the hub (or a mirror), a token, the proxies. */
export interface HubOptions {
  /** HF_ENDPOINT, without a trailing slash. */
  endpoint: string;
  /** HF_TOKEN: sent to the endpoint only, never to the hosts it redirects to. */
  token?: string;
  /** No connection, no answer, or no data for this long: the request fails. */
  timeoutMs: number;
  proxy: { http?: string; https?: string; noProxy?: string };
  userAgent: string;
}

/** One file of a model on the hub, as its listing describes it. */
export interface HubFile {
  path: string;
  size?: number;
  /** LFS files (weights): the SHA-256 of the contents. */
  sha256?: string;
  /** Other files: the git blob id (SHA-1 of `blob <size>\0<contents>`). */
  gitOid?: string;
}

export interface HubRepo {
  id: string;
  /** The commit the revision points at: every file is fetched from it. */
  commit: string;
  files: Map<string, HubFile>;
}

/** The answer to a file request, at the end of its redirects. */
export interface HubBody {
  status: number;
  /** Total size the hub publishes (X-Linked-Size, else Content-Length of a full answer). */
  size?: number;
  /** The hash it publishes: X-Linked-ETag (LFS SHA-256) or ETag (git blob id). */
  etag?: string;
  /** Where the body starts in the file (206 Content-Range), 0 for a full answer. */
  start: number;
  body: Readable;
}

interface SiblingJson {
  rfilename?: unknown;
  size?: unknown;
  blobId?: unknown;
  lfs?: { sha256?: unknown; size?: unknown } | null;
}

const MAX_REDIRECTS = 5;

/**
 * The parts of the hub's HTTP API a download needs: a model's file listing
 * (`/api/models/{id}/revision/{rev}?blobs=true`) and its files (`/{id}/resolve/{commit}/{file}`,
 * which redirects weights to a CDN). Requests go through HTTPS_PROXY/HTTP_PROXY unless NO_PROXY
 * says otherwise; HF_TOKEN goes to the endpoint as a Bearer token and is dropped on redirects to
 * other hosts.
 */
export class HubClient {
  private readonly dispatcher: EnvHttpProxyAgent;
  private closing?: Promise<void>;

  constructor(readonly options: HubOptions) {
    this.dispatcher = new EnvHttpProxyAgent({
      // '' (not undefined): the settings decide, never process.env behind their back.
      httpProxy: options.proxy.http ?? '',
      httpsProxy: options.proxy.https ?? '',
      noProxy: options.proxy.noProxy ?? '',
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  get endpoint(): string {
    return this.options.endpoint;
  }

  /** The files of `id` at `revision`, with sizes and hashes. */
  async repo(id: string, revision: string, signal?: AbortSignal): Promise<HubRepo> {
    const url = `${this.options.endpoint}/api/models/${id}/revision/${encodeURIComponent(revision)}?blobs=true`;
    const res = await this.follow(url, { accept: 'application/json' }, signal, {
      model: id,
      revision,
    });
    let json: { sha?: unknown; siblings?: unknown };
    try {
      json = (await res.body.json()) as typeof json;
    } catch (e) {
      throw new DownloadError(
        'http',
        `${this.options.endpoint} answered the listing of '${id}' with something that is not the hub's JSON (${(e as Error).message}); is HF_ENDPOINT a hub or a mirror of it?`,
      );
    }
    const files = new Map<string, HubFile>();
    for (const s of Array.isArray(json.siblings) ? (json.siblings as SiblingJson[]) : []) {
      if (typeof s.rfilename !== 'string') continue;
      const lfs = s.lfs ?? undefined;
      const size = Number(lfs?.size ?? s.size);
      files.set(s.rfilename, {
        path: s.rfilename,
        ...(Number.isFinite(size) && size >= 0 ? { size } : {}),
        ...(typeof lfs?.sha256 === 'string' ? { sha256: lfs.sha256 } : {}),
        ...(!lfs && typeof s.blobId === 'string' ? { gitOid: s.blobId } : {}),
      });
    }
    const commit = typeof json.sha === 'string' && json.sha ? json.sha : revision;
    return { id, commit, files };
  }

  /** A file of `id` at `commit`, from byte `from` on (a Range request when `from` > 0). */
  async file(
    id: string,
    commit: string,
    file: string,
    from: number,
    signal?: AbortSignal,
  ): Promise<HubBody> {
    const url = `${this.options.endpoint}/${id}/resolve/${encodeURIComponent(commit)}/${file
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`;
    const linked: { size?: number; etag?: string } = {};
    const res = await this.follow(
      url,
      from > 0 ? { range: `bytes=${from}-` } : {},
      signal,
      { model: id, revision: commit, file },
      (headers) => {
        // The hub's own answer (before the CDN) names the size and hash of the real contents.
        const size = Number(one(headers['x-linked-size']));
        if (Number.isFinite(size) && linked.size === undefined) linked.size = size;
        const etag = one(headers['x-linked-etag']);
        if (etag && linked.etag === undefined) linked.etag = unquote(etag);
      },
    );
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(one(res.headers['content-range']) ?? '');
    const start = res.statusCode === 206 && range ? Number(range[1]) : 0;
    const total =
      linked.size ??
      (range && range[3] !== '*' ? Number(range[3]) : undefined) ??
      (res.statusCode === 200 ? Number(one(res.headers['content-length'])) : undefined);
    const etag = linked.etag ?? unquote(one(res.headers.etag) ?? '');
    return {
      status: res.statusCode,
      ...(total !== undefined && Number.isFinite(total) ? { size: total } : {}),
      ...(etag ? { etag } : {}),
      start,
      body: res.body,
    };
  }

  /** Closes its connections; again is a no-op (an app's shutdown hooks may run twice). */
  close(): Promise<void> {
    this.closing ??= this.dispatcher.close();
    return this.closing;
  }

  /**
   * GET `url`, following redirects by hand: the token goes only to the endpoint's host, and each
   * hop's headers are shown to `onHop`. A non-success answer is explained and thrown.
   */
  private async follow(
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    ctx: { model: string; revision: string; file?: string },
    onHop?: (headers: Record<string, string | string[] | undefined>) => void,
  ) {
    const home = new URL(this.options.endpoint).host;
    let current = url;
    for (let hop = 0; ; hop++) {
      const sendToken = this.options.token && new URL(current).host === home;
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(current, {
          method: 'GET',
          dispatcher: this.dispatcher,
          signal,
          headers: {
            'user-agent': this.options.userAgent,
            ...headers,
            ...(sendToken ? { authorization: `Bearer ${this.options.token}` } : {}),
          },
        });
      } catch (e) {
        if (signal?.aborted) throw e;
        throw networkFailure(e, current, this.options.timeoutMs);
      }
      onHop?.(res.headers);
      const location = one(res.headers.location);
      if (res.statusCode >= 300 && res.statusCode < 400 && location) {
        await res.body.dump();
        if (hop >= MAX_REDIRECTS)
          throw new DownloadError('http', `more than ${MAX_REDIRECTS} redirects from ${url}`);
        current = new URL(location, current).toString();
        continue;
      }
      if (res.statusCode === 200 || res.statusCode === 206) return res;
      await res.body.dump();
      throw httpFailure(res.statusCode, res.headers, {
        ...ctx,
        endpoint: this.options.endpoint,
        hasToken: Boolean(this.options.token),
      });
    }
  }
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `"abc"` or `W/"abc"` to `abc`. */
function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}
