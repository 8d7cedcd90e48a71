import type { NextFunction, Request, Response } from 'express';
import type { RagdMetrics } from './metrics-registry';

/** The route label of a request that matched no route (bounded: never the raw path). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts and times every request by route template (`/v1/collections/:name/search`, never the
 * raw path, so names and ids do not multiply the series), method and status, when the response
 * ends (or the client goes away).
 */
export function httpMetrics(metrics: RagdMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const labels = {
        route: routeOf(req),
        method: req.method,
        status: res.writableFinished ? String(res.statusCode) : 'aborted',
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
    });
    next();
  };
}

function routeOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : UNMATCHED_ROUTE;
}
