import { createHash } from 'node:crypto';

/** The parts of a request that make it the same request again when it is retried. */
export interface RequestParts {
  /** Route parameters, e.g. the collection name. */
  params: Record<string, unknown>;
  query: unknown;
  /** The parsed JSON body, or the text fields of a multipart upload. */
  body: unknown;
  /** The uploaded file of a multipart request. */
  file?: { fieldname: string; originalname: string; mimetype: string; buffer: Buffer };
}

/**
 * sha256 of a request, to tell a retry (same hash) from another request that reuses its
 * Idempotency-Key. Object key order does not count (`{"a":1,"b":2}` is `{"b":2,"a":1}`), array order
 * does; a file counts by its field, name, type and a hash of its bytes.
 */
export function requestHash(r: RequestParts): string {
  const file = r.file
    ? {
        field: r.file.fieldname,
        name: r.file.originalname,
        type: r.file.mimetype,
        sha256: createHash('sha256').update(r.file.buffer).digest('hex'),
      }
    : null;
  const canonical = canonicalJson({
    params: r.params,
    query: r.query ?? null,
    body: r.body ?? null,
    file,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** What an Idempotency-Key is scoped to: method, route and its parameters (the collection). */
export function requestScope(
  method: string,
  routePath: string,
  params: Record<string, unknown>,
): string {
  return `${method} ${routePath} ${canonicalJson(params)}`;
}

/** JSON with the keys of every object sorted, so that equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}
