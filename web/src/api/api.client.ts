import { storedApiKey } from './api-key.store';
import type { ApiErrorBody } from './types';

/** An answer of the server that is not 2xx, with its `{error: {code, message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type UnauthorizedListener = (error: ApiError) => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever the server answers 401: the app then asks for an API key. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (FormData for uploads). */
  body?: BodyInit;
  signal?: AbortSignal;
  accept?: string;
}

/** The raw response of a request that succeeded (2xx); any other status becomes an ApiError. */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  const key = storedApiKey();
  if (key) headers.authorization = `Bearer ${key}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const init: RequestInit = { method: options.method ?? 'GET', headers };
  if (body !== undefined) init.body = body;
  if (options.signal) init.signal = options.signal;
  const res = await fetch(path, init);
  if (res.ok) return res;
  throw await errorOf(res);
}

/** A JSON request: the parsed body, or undefined for 204. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await request(path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function errorOf(res: Response): Promise<ApiError> {
  let error: ApiError;
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    const e = body.error;
    error = new ApiError(
      res.status,
      typeof e?.code === 'string' ? e.code : `http_${res.status}`,
      typeof e?.message === 'string' ? e.message : res.statusText,
      e?.details,
    );
  } catch {
    error = new ApiError(res.status, `http_${res.status}`, res.statusText || `HTTP ${res.status}`);
  }
  if (res.status === 401) onUnauthorizedNotify(error);
  return error;
}

/** Tells the app that the server answered 401. */
export function onUnauthorizedNotify(error: ApiError): void {
  for (const l of unauthorizedListeners) l(error);
}

/** A path segment: collection names and document ids may hold any character but "/". */
export const seg = (s: string): string => encodeURIComponent(s);

/** A model id as a path: "org/name" takes two segments. */
export const modelPath = (id: string): string => id.split('/').map(seg).join('/');
