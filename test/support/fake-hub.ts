/**
 * A Hugging Face hub on loopback, for download tests (selected with HF_ENDPOINT): a real HTTP
 * server that serves model folders (the tiny generated models) in the hub's URL layout and with
 * the headers the hub sends:
 *
 * - `GET /api/models/{id}/revision/{rev}?blobs=true`: the commit and the files, each with its size
 *   and either its LFS SHA-256 (weights: `*.onnx`, `*.onnx_data`) or its git blob id;
 * - `GET /{id}/resolve/{rev}/{file}`: other files directly (ETag: the git blob id); weights as a
 *   302 to a CDN (a second server, so another host) with X-Linked-Size, X-Linked-ETag and
 *   X-Repo-Commit, the CDN answering Range requests with 206;
 * - errors as the hub words them: 401 `X-Error-Code: RepoNotFound` for an unknown model without a
 *   token (404 with one), 401/403 `GatedRepo` for a gated model without the right token, 404
 *   `EntryNotFound` and `RevisionNotFound`.
 *
 * A test can cut a file's next transfer after N bytes, corrupt a file (the listing keeps the true
 * hash), slow transfers down, and read every request it received (Range and Authorization too).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface FakeRepo {
  /** The model folder served. */
  dir: string;
  /** Gated: files are served only with `Authorization: Bearer <token>`. */
  token?: string;
}

export interface FakeHubRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range?: string;
  authorization?: string;
}

interface FakeFile {
  path: string;
  content: Buffer;
  lfs: boolean;
  sha256: string;
  gitOid: string;
}

interface LoadedRepo {
  commit: string;
  token?: string;
  files: Map<string, FakeFile>;
}

const CHUNK = 16 * 1024;

export class FakeHub {
  readonly requests: FakeHubRequest[] = [];
  private readonly repos = new Map<string, LoadedRepo>();
  private readonly byHash = new Map<string, FakeFile>();
  private readonly cuts = new Map<string, number>();
  private readonly corrupted = new Set<string>();
  private bytesPerSecond = 0;

  private constructor(
    private readonly hub: http.Server,
    private readonly cdn: http.Server,
  ) {}

  static async start(repos: Record<string, FakeRepo>): Promise<FakeHub> {
    const hub = http.createServer();
    const cdn = http.createServer();
    const sut = new FakeHub(hub, cdn);
    for (const [id, repo] of Object.entries(repos)) sut.add(id, repo);
    hub.on('request', (req, res) => sut.serveHub(req, res));
    cdn.on('request', (req, res) => sut.serveCdn(req, res));
    await Promise.all(
      [hub, cdn].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
    );
    return sut;
  }

  /** HF_ENDPOINT for this hub. */
  get url(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  get cdnUrl(): string {
    return `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
  }

  /** The commit `id` is served at. */
  commit(id: string): string {
    return this.repo(id).commit;
  }

  /** Size and hashes of a file, as the hub publishes them. */
  file(id: string, file: string): FakeFile {
    const f = this.repo(id).files.get(file);
    if (!f) throw new Error(`fake hub: ${id} has no ${file}`);
    return f;
  }

  /** The next transfer of this file ends (the connection is destroyed) after `bytes` bytes. */
  cutOnce(id: string, file: string, bytes: number): void {
    this.cuts.set(`${id}|${file}`, bytes);
  }

  /** Serves this file with one byte changed; its size and published hash stay the true ones. */
  corrupt(id: string, file: string): void {
    this.corrupted.add(`${id}|${file}`);
  }

  /** Limits every transfer of file contents to about this rate (0: no limit). */
  throttle(bytesPerSecond: number): void {
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Requests for the contents of one file of one model (to the hub and to the CDN), in order. */
  contentRequests(id: string, file: string): FakeHubRequest[] {
    const { sha256 } = this.file(id, file);
    return this.requests.filter(
      (r) =>
        (r.server === 'hub' &&
          r.path.startsWith(`/${id}/resolve/`) &&
          r.path.endsWith(`/${file}`)) ||
        (r.server === 'cdn' && r.path.startsWith(`/cdn/${sha256}?`)),
    );
  }

  async close(): Promise<void> {
    for (const s of [this.hub, this.cdn]) s.closeAllConnections();
    await Promise.all(
      [this.hub, this.cdn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }

  private add(id: string, repo: FakeRepo): void {
    const files = new Map<string, FakeFile>();
    const walk = (rel: string) => {
      for (const e of fs.readdirSync(path.join(repo.dir, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(r);
        else if (e.isFile()) {
          const content = fs.readFileSync(path.join(repo.dir, r));
          const f: FakeFile = {
            path: r,
            content,
            lfs: /\.onnx(_data)?$/.test(r),
            sha256: createHash('sha256').update(content).digest('hex'),
            gitOid: createHash('sha1')
              .update(`blob ${content.length}\0`)
              .update(content)
              .digest('hex'),
          };
          files.set(r, f);
          this.byHash.set(f.sha256, f);
        }
      }
    };
    walk('');
    const commit = createHash('sha1')
      .update(id + [...files.values()].map((f) => f.gitOid).join(''))
      .digest('hex');
    this.repos.set(id, { commit, token: repo.token, files });
  }

  private repo(id: string): LoadedRepo {
    const r = this.repos.get(id);
    if (!r) throw new Error(`fake hub: no repo ${id}`);
    return r;
  }

  private record(server: 'hub' | 'cdn', req: http.IncomingMessage): void {
    this.requests.push({
      server,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
  }

  private serveHub(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.record('hub', req);
    const url = new URL(req.url ?? '/', this.url);
    const auth = req.headers.authorization;
    const api = /^\/api\/models\/([^/]+\/[^/]+|[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const id = decodeURIComponent(api?.[1] ?? resolve?.[1] ?? '');
    const revision = decodeURIComponent(api?.[2] ?? resolve?.[2] ?? '');
    const repo = this.repos.get(id);
    if (!api && !resolve) return error(res, 404, undefined, 'Not found');
    if (!repo) return error(res, auth ? 404 : 401, 'RepoNotFound', `Repository not found: ${id}`);
    if (revision !== 'main' && revision !== repo.commit)
      return error(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    if (api) {
      const body = JSON.stringify({
        _id: repo.commit.slice(0, 24),
        id,
        modelId: id,
        sha: repo.commit,
        private: false,
        gated: repo.token ? 'manual' : false,
        siblings: [...repo.files.values()].map((f) => ({
          rfilename: f.path,
          size: f.content.length,
          blobId: f.gitOid,
          ...(f.lfs ? { lfs: { sha256: f.sha256, size: f.content.length, pointerSize: 134 } } : {}),
        })),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      return void res.end(body);
    }
    if (repo.token && auth !== `Bearer ${repo.token}`)
      return error(
        res,
        auth ? 403 : 401,
        'GatedRepo',
        `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
      );
    const file = repo.files.get(decodeURIComponent(resolve![3]!));
    if (!file) return error(res, 404, 'EntryNotFound', 'Entry not found');
    const common = { 'x-repo-commit': repo.commit };
    if (file.lfs) {
      res.writeHead(302, {
        ...common,
        location: `${this.cdnUrl}/cdn/${file.sha256}?id=${encodeURIComponent(id)}`,
        'x-linked-size': String(file.content.length),
        'x-linked-etag': `"${file.sha256}"`,
        etag: `"${file.gitOid}"`,
        'content-length': 0,
      });
      return void res.end();
    }
    this.sendContent(req, res, id, file, { ...common, etag: `"${file.gitOid}"` });
  }

  private serveCdn(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.record('cdn', req);
    const url = new URL(req.url ?? '/', this.cdnUrl);
    const file = this.byHash.get(url.pathname.split('/')[2] ?? '');
    if (!file) return error(res, 404, undefined, 'NoSuchKey');
    this.sendContent(req, res, url.searchParams.get('id') ?? '', file, {
      etag: `"${file.sha256}"`,
    });
  }

  /** The file's bytes, or those from a `Range: bytes=N-` on (206), cut or corrupted if asked. */
  private sendContent(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    id: string,
    file: FakeFile,
    headers: Record<string, string>,
  ): void {
    const key = `${id}|${file.path}`;
    let content = file.content;
    if (this.corrupted.has(key)) {
      content = Buffer.from(content);
      const at = Math.floor(content.length / 2);
      content[at] = content[at]! ^ 0xff;
    }
    const size = content.length;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= size && size > 0) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return void res.end();
    }
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'content-length': String(size - start),
      ...(range ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    const cut = this.cuts.get(key);
    if (cut !== undefined) this.cuts.delete(key);
    const end = cut !== undefined ? Math.min(size, start + cut) : size;
    void this.stream(res, content, start, end, cut !== undefined);
  }

  private async stream(
    res: http.ServerResponse,
    content: Buffer,
    start: number,
    end: number,
    cut: boolean,
  ): Promise<void> {
    let closed = false;
    res.on('close', () => (closed = true));
    for (let at = start; at < end && !closed; at += CHUNK) {
      const chunk = content.subarray(at, Math.min(end, at + CHUNK));
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      if (this.bytesPerSecond > 0)
        await new Promise((r) => setTimeout(r, (chunk.length / this.bytesPerSecond) * 1000));
    }
    if (cut) {
      // As a dropped connection looks: the bytes promised by Content-Length never come.
      await new Promise((r) => setTimeout(r, 20));
      res.socket?.destroy();
    } else res.end();
  }
}

function error(
  res: http.ServerResponse,
  status: number,
  code: string | undefined,
  message: string,
): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    ...(code ? { 'x-error-code': code, 'x-error-message': message } : {}),
  });
  res.end(body);
}
