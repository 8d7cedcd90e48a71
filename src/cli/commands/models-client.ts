import type { DownloadProgress } from '../../engines/model-status';
import { CliError, EXIT, exitCodeForStatus } from '../exit-codes';

/** A model as GET /v1/models shows it (the fields the CLI uses). */
export interface ModelEntry {
  id: string;
  task: string;
  dtype: string;
  dtypes: string[];
  state: string;
  reason?: string;
  memoryBytes: number | null;
  source: string;
  download?: DownloadProgress;
}

/** The /v1/models routes of a running ragd. */
export class ModelsClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly apiKey?: string,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  list(): Promise<{ data: ModelEntry[] }> {
    return this.send('GET', '/v1/models');
  }

  get(id: string, sel: { task?: string; dtype?: string }): Promise<ModelEntry> {
    const q = new URLSearchParams(
      Object.entries(sel).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();
    return this.send('GET', `/v1/models/${id}${q ? `?${q}` : ''}`);
  }

  pull(id: string, body: { task?: string; dtype?: string }): Promise<ModelEntry> {
    return this.send('POST', `/v1/models/${id}/pull`, body);
  }

  remove(id: string): Promise<{ id: string; freedBytes: number }> {
    return this.send('DELETE', `/v1/models/${id}`);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new CliError(
        `Cannot reach ragd at ${this.base} (${cause}). Is it running? Set --url or RAGD_URL, or download without a server with --models-dir`,
        EXIT.unreachable,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new CliError(
        `${res.status} ${err?.code ?? 'error'}: ${err?.message ?? text}`,
        exitCodeForStatus(res.status),
        err?.code,
      );
    }
    return json as T;
  }
}
