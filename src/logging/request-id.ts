import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The header a request id comes in and goes back in. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** A caller's id is kept when it is this sane: 1-128 letters, digits and . _ : - (no spaces, no markup). */
const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is sane, else a new UUID. */
export function chooseRequestId(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && SANE.test(given) ? given : randomUUID();
}

/**
 * Gives the request its id (`req.id`) and sends it back in X-Request-Id. Runs first of all, so
 * that an error met anywhere, even in the body parser, carries the same id as the log lines.
 */
export function assignRequestId(
  req: IncomingMessage & { id?: unknown },
  res: ServerResponse,
  next: () => void,
): void {
  if (typeof req.id !== 'string') req.id = chooseRequestId(req.headers['x-request-id']);
  res.setHeader(REQUEST_ID_HEADER, req.id);
  next();
}

/** The id a request was given (undefined before assignRequestId ran). */
export function requestIdOf(req: { id?: unknown } | undefined): string | undefined {
  return typeof req?.id === 'string' ? req.id : undefined;
}
