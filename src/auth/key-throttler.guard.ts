import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { RateLimitedError } from '../common/errors';
import { callerOf } from './caller';

/**
 * RATE_LIMIT_PER_MINUTE per API key (@nestjs/throttler, in memory), over all routes together.
 * Requests without a key (open mode, public routes) are not counted. Called by AuthGuard once the
 * caller is known, not registered as a guard of its own.
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(callerOf(context.switchToHttp().getRequest<Request>()).keyId === null);
  }

  protected override getTracker(req: Request): Promise<string> {
    return Promise.resolve(callerOf(req).keyId ?? '');
  }

  /** One count per key for every route (the library's default counts per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: { limit: number; tracker: string; timeToBlockExpire: number },
  ): Promise<void> {
    throw new RateLimitedError(
      `API key '${detail.tracker}' sent more than ${detail.limit} requests in a minute (RATE_LIMIT_PER_MINUTE); retry in about ${detail.timeToBlockExpire} s`,
      detail.timeToBlockExpire,
      { limit: detail.limit },
    );
  }
}
