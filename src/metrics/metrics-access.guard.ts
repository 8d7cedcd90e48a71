import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { callerOf } from '../auth/caller';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';

/**
 * Who may read GET /metrics (the route is public to the global auth guard, which only finds the
 * caller): with METRICS_TOKEN set, a request whose `Authorization: Bearer <token>` matches it, or
 * one with an admin API key; without it, whoever may do anything else (everyone while the server
 * runs open on loopback, an admin key once keys are on).
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly token?: Buffer;

  constructor(@Inject(SETTINGS) settings: Settings) {
    if (settings.metrics.token) this.token = Buffer.from(settings.metrics.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const caller = callerOf(req);
    if (
      this.token ? this.bearerMatches(req) || (caller.keyId !== null && caller.admin) : caller.admin
    )
      return true;
    if (caller.keyId !== null) throw new ForbiddenException('GET /metrics needs an admin API key');
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(
      this.token
        ? 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN> or an admin API key'
        : 'GET /metrics needs an admin API key',
    );
  }

  private bearerMatches(req: Request): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m?.[1] || !this.token) return false;
    const given = Buffer.from(m[1]);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}
