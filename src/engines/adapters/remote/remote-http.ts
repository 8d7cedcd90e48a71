/**
 * Plain HTTP to inference servers (Node's fetch), with every way a call can fail sorted into what
 * the caller does about it: the replica is at fault (take it out, try another), the server is busy
 * (429/503: say so with Retry-After), or it refused our request (4xx: no other replica will differ).
 */

/** The replica failed: unreachable, timed out, answered 5xx/401/404, or answered nonsense. */
export class ReplicaFailure extends Error {
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'http' | 'malformed',
    message: string,
    /** False once a generation has streamed output: it is never silently tried again. */
    readonly retriable = true,
  ) {
    super(message);
    this.name = 'ReplicaFailure';
  }
}

/** 429 or 503: the server is up but has no room now. */
export class UpstreamBusy extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'UpstreamBusy';
  }
}

/** A 4xx other than 401/403/404/429: the server refused this request as such. */
export class UpstreamRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly upstreamMessage: string,
  ) {
    super(message);
    this.name = 'UpstreamRefused';
  }
}

export interface CallOptions {
  apiKey?: string;
  timeoutMs: number;
  /** The caller's signal (a client that went away); its abort is not the replica's fault. */
  signal?: AbortSignal;
}

/** A URL fit to show: no user or password. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function headers(
  apiKey: string | undefined,
  stream: boolean,
  body: boolean,
): Record<string, string> {
  return {
    accept: stream ? 'text/event-stream' : 'application/json',
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  };
}

/** The reason a fetch failed, from undici's error and its cause (ECONNREFUSED, ...). */
function networkReason(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message ?? 'fetch failed'} (${cause})` : (err.message ?? String(e));
}

/**
 * Sends the request and waits for the response headers within the timeout. Resolves with a 2xx
 * response (its body unread); throws ReplicaFailure, UpstreamBusy or UpstreamRefused otherwise,
 * and the caller's AbortError when its signal fired.
 */
export async function send(
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  options: CallOptions & { stream?: boolean; controller?: AbortController },
): Promise<Response> {
  const controller = options.controller ?? new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(new ReplicaFailure('timeout', `no response within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  timer.unref();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let res: Response;
  try {
    if (options.signal?.aborted) throw abortError();
    res = await fetch(url, {
      method,
      headers: headers(options.apiKey, options.stream === true, body !== undefined),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: controller.signal,
    });
  } catch (e) {
    options.signal?.removeEventListener('abort', onAbort);
    if (options.signal?.aborted) throw abortError();
    const reason: unknown = controller.signal.reason;
    if (reason instanceof ReplicaFailure) throw reason;
    throw new ReplicaFailure('unreachable', `${displayUrl(url)}: ${networkReason(e)}`);
  } finally {
    // The caller's abort stays linked to the controller while the body is read.
    clearTimeout(timer);
  }
  if (res.ok) return res;
  const text = await readText(res, 2000).catch(() => '');
  const upstream = upstreamMessage(text);
  const where = `${displayUrl(url)} answered ${res.status}${upstream ? `: ${upstream}` : ''}`;
  if (res.status === 429 || res.status === 503) {
    throw new UpstreamBusy(where, retryAfter(res.headers.get('retry-after')));
  }
  if (res.status >= 500 || res.status === 401 || res.status === 403 || res.status === 404) {
    const hint =
      res.status === 404
        ? ' (is the base URL right, e.g. http://host:8000/v1, and the model name?)'
        : res.status === 401 || res.status === 403
          ? ' (check the API key)'
          : '';
    throw new ReplicaFailure('http', where + hint);
  }
  throw new UpstreamRefused(where, res.status, upstream);
}

/** POST (or GET) and parse the JSON answer, within the timeout for the whole exchange. */
export async function requestJson(
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  options: CallOptions,
): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(new ReplicaFailure('timeout', `no answer within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  timer.unref();
  try {
    const res = await send(method, url, body, { ...options, controller });
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      if (options.signal?.aborted) throw abortError();
      const reason: unknown = controller.signal.reason;
      if (reason instanceof ReplicaFailure) throw reason;
      throw new ReplicaFailure(
        'unreachable',
        `${displayUrl(url)}: the answer broke off (${networkReason(e)})`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new ReplicaFailure(
        'malformed',
        `${displayUrl(url)} answered malformed JSON (${(e as Error).message}): ${JSON.stringify(text.slice(0, 120))}`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}

async function readText(res: Response, max: number): Promise<string> {
  const text = await res.text();
  return text.slice(0, max);
}

/** The message an OpenAI-style, TEI or plain error body carries. */
function upstreamMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const err = body.error;
    if (typeof err === 'string') return err.slice(0, 500);
    if (
      err &&
      typeof err === 'object' &&
      typeof (err as { message?: unknown }).message === 'string'
    )
      return (err as { message: string }).message.slice(0, 500);
    if (typeof body.message === 'string') return body.message.slice(0, 500);
    if (typeof body.detail === 'string') return body.detail.slice(0, 500);
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300);
}

/** Seconds from a Retry-After header (seconds or an HTTP date); 1 when absent or unreadable. */
export function retryAfter(value: string | null): number {
  if (!value) return 1;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(3600, Math.max(1, Math.ceil(seconds)));
  const date = Date.parse(value);
  if (Number.isFinite(date))
    return Math.min(3600, Math.max(1, Math.ceil((date - Date.now()) / 1000)));
  return 1;
}

export function abortError(): Error {
  const e = new Error('the request was aborted');
  e.name = 'AbortError';
  return e;
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}
