import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pretty from 'pino-pretty';
import type { Settings } from '../config/settings';
import { chooseRequestId, requestIdOf } from './request-id';

/** LOG_LEVEL (Nest's names) as pino's. */
const PINO_LEVELS: Record<Settings['logLevel'], string> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Probes and scrapes that answer fine are not logged (they come every few seconds). */
const QUIET_ROUTES = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

type Req = IncomingMessage & { id?: unknown; originalUrl?: string };

/**
 * nestjs-pino's settings: JSON lines (or pino-pretty on a terminal), the level from LOG_LEVEL, the
 * request's id in every line logged while it is handled (`reqId`), and one line per request when
 * it ends. A request is logged by method, path (no query string), status and time only: never its
 * headers (so no Authorization, no API key) nor its body (so no document text).
 */
export function logParams(settings: Settings, stdoutIsTty = process.stdout.isTTY === true): Params {
  const prettyOutput =
    settings.logFormat === 'pretty' || (settings.logFormat === 'auto' && stdoutIsTty);
  const options = {
    level: PINO_LEVELS[settings.logLevel],
    quietReqLogger: true,
    genReqId: (req: Req) => requestIdOf(req) ?? chooseRequestId(req.headers['x-request-id']),
    serializers: {
      req: (r: { id?: unknown; method?: string; url?: string }) => ({
        id: r.id,
        method: r.method,
        url: pathOf(r.url),
      }),
      res: (r: { statusCode?: number }) => ({ statusCode: r.statusCode }),
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], remove: true },
    customLogLevel: (_req: Req, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : 'info',
    customSuccessMessage: (req: Req, res: ServerResponse) =>
      `${req.method} ${pathOf(req.originalUrl ?? req.url)} ${res.statusCode}`,
    customErrorMessage: (req: Req, res: ServerResponse) =>
      `${req.method} ${pathOf(req.originalUrl ?? req.url)} ${res.statusCode}`,
    autoLogging: {
      ignore: (req: Req) =>
        req.method === 'GET' && QUIET_ROUTES.has(pathOf(req.originalUrl ?? req.url)),
    },
  };
  return {
    pinoHttp: prettyOutput
      ? [options, pretty({ colorize: stdoutIsTty, sync: true, ignore: 'pid,hostname' })]
      : options,
  };
}

/** A URL without its query string (which may carry what does not belong in a log). */
function pathOf(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
