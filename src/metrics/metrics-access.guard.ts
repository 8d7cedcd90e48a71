import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';

/**
 * Who may read GET /metrics: anyone while METRICS_TOKEN is unset (like the rest of the API
 * today); with it set, a request whose `Authorization: Bearer <token>` matches it.
 *
 * Hook for API keys: once they exist, a request with an admin key passes too. Add that check in
 * `allowedByKey` (the request's key as the auth guard attached it), and have the global auth
 * guard leave /metrics to this guard so that a scraper with only METRICS_TOKEN gets through.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly token?: Buffer;

  constructor(@Inject(SETTINGS) settings: Settings) {
    if (settings.metrics.token) this.token = Buffer.from(settings.metrics.token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (this.bearerMatches(req) || this.allowedByKey(req)) return true;
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
  }

  private bearerMatches(req: Request): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m?.[1] || !this.token) return false;
    const given = Buffer.from(m[1]);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  /** An admin API key (none exist yet: always false). */
  private allowedByKey(_req: Request): boolean {
    return false;
  }
}
