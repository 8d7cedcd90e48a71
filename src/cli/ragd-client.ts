import { CliError, EXIT, exitCodeForStatus } from './exit-codes';
import { SseEvent, sseEvents } from './sse-events';

interface ErrorBody {
  error?: { code?: string; message?: string; requestId?: string };
}

/**
 * The REST API of a running ragd, for the CLI and the stdio MCP server: JSON in and out, Bearer
 * key, errors as CliError with the exit code they mean. Nothing of the server is imported.
 */
export class RagdClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly apiKey?: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  delete<T = undefined>(path: string): Promise<T> {
    return this.json<T>('DELETE', path);
  }

  /** A multipart request (files); the answer as JSON. */
  async upload<T>(path: string, form: FormData): Promise<T> {
    return this.parse<T>(await this.send('POST', path, { body: form }));
  }

  /** POST with a JSON body, answered as server-sent events. */
  async *stream(path: string, body: unknown): AsyncGenerator<SseEvent> {
    const res = await this.send('POST', path, {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    });
    if (!res.ok) await this.parse(res);
    yield* sseEvents(res);
  }

  /** GET answered as server-sent events. */
  async *events(path: string): AsyncGenerator<SseEvent> {
    const res = await this.send('GET', path, { headers: { accept: 'text/event-stream' } });
    if (!res.ok) await this.parse(res);
    yield* sseEvents(res);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(
      method,
      path,
      body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
    );
    return this.parse<T>(res);
  }

  private async send(
    method: string,
    path: string,
    init: { body?: string | FormData; headers?: Record<string, string> },
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    try {
      return await fetch(`${this.baseUrl}${path}`, { method, body: init.body, headers });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `Cannot reach ragd at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (e as Error).message}). Is it running? Set --url or RAGD_URL.`,
        EXIT.unreachable,
      );
    }
  }

  private async parse<T>(res: Response): Promise<T> {
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    if (res.ok) return body as T;
    const err = (body as ErrorBody | undefined)?.error;
    const message = err?.message ?? (typeof body === 'string' && body ? body : res.statusText);
    const id = err?.requestId ? ` (request ${err.requestId})` : '';
    throw new CliError(
      `${res.status} ${err?.code ?? 'error'}: ${message}${id}`,
      exitCodeForStatus(res.status),
      err?.code,
    );
  }
}

/** A path segment (collection name, document id) for a URL. */
export const seg = (s: string): string => encodeURIComponent(s);
