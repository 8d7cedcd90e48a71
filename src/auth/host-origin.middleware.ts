import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Settings } from '../config/settings';
import { AllowedHosts, crossSiteRefusal } from './request-boundary';

/**
 * The first thing every request meets (before body parsing, Swagger and the routes): a Host that
 * is not allowed gets 421 `host_not_allowed` (DNS rebinding); a state-changing request from a
 * browser on another origin gets 403 `cross_site_request`, whatever its content type, with keys on
 * or off.
 */
export function hostOriginMiddleware(settings: Settings): RequestHandler {
  const hosts = new AllowedHosts(settings.host, settings.security.allowedHosts);
  const corsOrigins = new Set(settings.security.corsOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.headers.host;
    if (!hosts.allows(host)) {
      refuse(
        res,
        421,
        'host_not_allowed',
        `Host '${host ?? ''}' is not allowed here: ALLOWED_HOSTS can name it (this guards against DNS rebinding)`,
      );
      return;
    }
    const refusal = crossSiteRefusal(
      req.method,
      { origin: req.headers.origin, host, secFetchSite: req.get('sec-fetch-site') },
      corsOrigins,
    );
    if (refusal) {
      refuse(res, 403, 'cross_site_request', refusal);
      return;
    }
    next();
  };
}

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).setHeader('Connection', 'close');
  res.json({ error: { code, message } });
}
