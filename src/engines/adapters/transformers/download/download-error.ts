/**
 * Why a model download failed, in words a person can act on, and whether trying again later can
 * help. Network trouble, a cut, a full disk, a server error or a refused file are retried with
 * backoff; a wrong id, a gated or private model and a missing file are not (the answer will not
 * change until the configuration does).
 */
export type DownloadFailure =
  | 'dns'
  | 'tls'
  | 'timeout'
  | 'refused'
  | 'network'
  | 'cut'
  | 'not_found'
  | 'unauthorized'
  | 'gated'
  | 'rate_limited'
  | 'server'
  | 'http'
  | 'disk_full'
  | 'integrity'
  | 'io';

const PERMANENT: ReadonlySet<DownloadFailure> = new Set([
  'not_found',
  'unauthorized',
  'gated',
  'http',
]);

export class DownloadError extends Error {
  constructor(
    readonly failure: DownloadFailure,
    message: string,
    /** Seconds the server asked us to wait (429 Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }

  /** Whether trying again, later, can succeed without a change of configuration. */
  get retriable(): boolean {
    return !PERMANENT.has(this.failure);
  }
}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH/;

interface ErrorLike {
  code?: string;
  message?: string;
  cause?: unknown;
}

/** The innermost error with a code (undici wraps socket and DNS errors). */
function rootOf(err: unknown): ErrorLike {
  let e = err as ErrorLike | undefined;
  for (let i = 0; i < 5 && e; i++) {
    if (e.code && !e.code.startsWith('UND_ERR_ABORTED')) return e;
    e = e.cause as ErrorLike | undefined;
  }
  return (err as ErrorLike) ?? {};
}

/** A failure to reach `url` or to read its answer, explained. */
export function networkFailure(err: unknown, url: string, timeoutMs: number): DownloadError {
  if (err instanceof DownloadError) return err;
  const host = new URL(url).host;
  const root = rootOf(err);
  const code = root.code ?? '';
  const detail = root.message ?? String(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL')
    return new DownloadError(
      'dns',
      `cannot resolve ${host} (DNS ${code}): no network, or a wrong HF_ENDPOINT`,
    );
  if (TLS_CODES.test(code))
    return new DownloadError(
      'tls',
      `the TLS connection to ${host} failed (${code}: ${detail}); behind a proxy that inspects TLS, give its CA certificate with NODE_EXTRA_CA_CERTS`,
    );
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return new DownloadError(
      'timeout',
      `no connection to ${host} within ${timeoutMs} ms (REMOTE_MODEL_CONNECT_TIMEOUT_MS); if this network reaches the internet through a proxy, set HTTPS_PROXY`,
    );
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return new DownloadError('timeout', `${host} sent no answer within ${timeoutMs} ms`);
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return new DownloadError(
      'timeout',
      `the download from ${host} stalled: no data for ${timeoutMs} ms`,
    );
  if (code === 'ECONNREFUSED')
    return new DownloadError('refused', `${host} refused the connection (ECONNREFUSED)`);
  if (code === 'ENOSPC') return diskFull(detail);
  return new DownloadError('network', `${host}: ${code ? `${code}: ` : ''}${detail}`);
}

/** A full disk, with the way out. */
export function diskFull(detail: string): DownloadError {
  return new DownloadError(
    'disk_full',
    `no space left in MODELS_DIR (${detail}): free some space or point MODELS_DIR at a larger disk; the download resumes where it stopped`,
  );
}

export interface HttpContext {
  model: string;
  endpoint: string;
  /** The file asked for; none for the model's listing. */
  file?: string;
  revision: string;
  hasToken: boolean;
}

/**
 * An HTTP status that is not a success, explained. The hub answers 401 (not 404) for a model that
 * does not exist when no token is sent, so as not to reveal private ones; its `X-Error-Code`
 * header tells a missing model (RepoNotFound), a gated one (GatedRepo), a missing file
 * (EntryNotFound) and a missing revision (RevisionNotFound) apart.
 */
export function httpFailure(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  ctx: HttpContext,
): DownloadError {
  const code = String(headers['x-error-code'] ?? '');
  const what = ctx.file ? `${ctx.file} of '${ctx.model}'` : `'${ctx.model}'`;
  const token = ctx.hasToken ? 'the token in HF_TOKEN' : 'no HF_TOKEN';
  if (code === 'GatedRepo')
    return new DownloadError(
      'gated',
      `'${ctx.model}' is a gated model (${status} from ${ctx.endpoint}, ${token}): accept its terms on its page on the hub, then set HF_TOKEN to a token of that account`,
    );
  if (code === 'RepoNotFound' || (!ctx.file && status === 404))
    return new DownloadError(
      'not_found',
      `no model '${ctx.model}' on ${ctx.endpoint} (${status}${code ? ` ${code}` : ''}): check the id${ctx.hasToken ? '' : '; a private model also needs HF_TOKEN'}`,
    );
  if (code === 'RevisionNotFound')
    return new DownloadError(
      'not_found',
      `'${ctx.model}' has no revision '${ctx.revision}' on ${ctx.endpoint}`,
    );
  if (status === 404)
    return new DownloadError(
      'not_found',
      `${ctx.endpoint} has no ${what} (404${code ? ` ${code}` : ''})`,
    );
  if (status === 401 || status === 403)
    return new DownloadError(
      'unauthorized',
      ctx.hasToken
        ? `${ctx.endpoint} refused the token in HF_TOKEN for ${what} (${status}): check that it is valid and has access to the model`
        : `${ctx.endpoint} refused access to ${what} (${status}): a gated or private model needs HF_TOKEN`,
    );
  if (status === 416)
    return new DownloadError(
      'integrity',
      `the partial download of ${what} does not fit the file on ${ctx.endpoint} (416); it starts over`,
    );
  if (status === 429) {
    const after = Number(headers['retry-after']);
    return new DownloadError(
      'rate_limited',
      `${ctx.endpoint} is limiting requests (429)${ctx.hasToken ? '' : '; a token in HF_TOKEN raises the limit'}`,
      Number.isFinite(after) && after > 0 ? after : undefined,
    );
  }
  if (status >= 500)
    return new DownloadError('server', `${ctx.endpoint} answered ${status} for ${what}`);
  return new DownloadError('http', `${ctx.endpoint} answered ${status} for ${what}`);
}
