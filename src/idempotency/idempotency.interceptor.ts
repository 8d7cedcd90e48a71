import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  createParamDecorator,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, of, tap } from 'rxjs';
import { UnsupportedMediaTypeError } from '../common/errors';
import { IdempotencyContext, IdempotencyService } from './idempotency.service';
import { requestHash, requestScope } from './request-hash';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

const contexts = new WeakMap<Request, IdempotencyContext>();

/**
 * Runs a route under the request's Idempotency-Key, if it has one: the first request runs and its
 * success is stored; a retry gets the stored status and body with `Idempotent-Replayed: true`.
 * Routes opt in with @Idempotent(); a handler passes @Idempotency() on to the service that
 * commits its writes, so the key is recorded in their transaction.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) return next.handle();
    // Nothing read the multipart body: the route takes JSON (on an upload route this would mean
    // @Idempotent() sits below @UseInterceptors(FileInterceptor(...)), which its tests catch).
    if (req.is('multipart/form-data') && req.body === undefined) {
      throw new UnsupportedMediaTypeError(
        `${req.method} ${(req.route as { path: string }).path} takes a JSON body, not multipart/form-data`,
      );
    }
    const routePath = (req.route as { path: string }).path;
    const hash = requestHash({
      params: req.params,
      query: req.query,
      body: req.body,
      file: req.file,
    });
    const begun = this.idempotency.begin(
      key,
      requestScope(req.method, routePath, req.params),
      hash,
      res.statusCode,
    );
    if (begun.kind === 'replay') {
      res.status(begun.status).setHeader(REPLAYED_HEADER, 'true');
      return of(begun.body);
    }
    const claimed = begun.request;
    contexts.set(req, claimed);
    return next.handle().pipe(
      tap({
        next: (body) => claimed.finish(res.statusCode, body),
        error: () => claimed.abandon(),
      }),
    );
  }
}

/** The handler's IdempotencyContext when the request came with an Idempotency-Key, else undefined. */
export const Idempotency = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): IdempotencyContext | undefined =>
    contexts.get(ctx.switchToHttp().getRequest<Request>()),
);
