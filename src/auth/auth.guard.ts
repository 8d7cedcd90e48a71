import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ForbiddenError, UnauthorizedError } from '../common/errors';
import { JobsRepository } from '../database/jobs.repository';
import { ApiKeysService } from './api-keys.service';
import { Caller, setCaller } from './caller';
import { KeyThrottlerGuard } from './key-throttler.guard';
import {
  ACCESS_METADATA,
  AccessRule,
  CollectionSource,
  describeRule,
} from './require-scope.decorator';
import { UPLOAD_METADATA, UploadRule } from './upload.decorator';
import { UploadLimitsService } from './upload-limits.service';

/** A route that declares nothing needs admin: a forgotten decorator fails closed. */
const UNDECLARED: AccessRule = { kind: 'admin' };

/**
 * The one global guard (APP_GUARD): finds the caller from the Authorization header, checks the
 * route's @RequireScope / @Public requirement, then the key's rate limit and, on @Upload routes,
 * the upload limits. Host and Origin are checked before this, in express middleware.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly throttler: KeyThrottlerGuard,
    private readonly uploads: UploadLimitsService,
    private readonly jobs: JobsRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const rule =
      this.reflector.getAllAndOverride<AccessRule>(ACCESS_METADATA, targets) ?? UNDECLARED;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const caller = this.callerFor(req, rule);
    setCaller(req, caller);
    this.authorize(req, caller, rule);
    await this.throttler.canActivate(context);
    const upload = this.reflector.get<UploadRule | undefined>(
      UPLOAD_METADATA,
      context.getHandler(),
    );
    if (upload) this.uploads.admit(req, http.getResponse<Response>(), caller, upload);
    return true;
  }

  private callerFor(req: Request, rule: AccessRule): Caller {
    if (rule.kind !== 'public') return this.keys.authenticate(req.headers.authorization);
    try {
      return this.keys.authenticate(req.headers.authorization);
    } catch (e) {
      if (e instanceof UnauthorizedError) return Caller.ANONYMOUS;
      throw e;
    }
  }

  private authorize(req: Request, caller: Caller, rule: AccessRule): void {
    if (caller.admin || rule.kind === 'public' || rule.kind === 'key') return;
    if (rule.kind === 'admin')
      throw new ForbiddenError('This needs an API key with the admin scope');
    const collection = this.collectionOf(req, rule.from);
    if (collection === null) return; // an optional collection that the request does not name
    if (collection === undefined) {
      throw new ForbiddenError(
        `This needs ${describeRule(rule)}; a key without the admin scope must name the collection`,
      );
    }
    if (!caller.may(rule.need, collection)) {
      throw new ForbiddenError(
        `This API key may not ${rule.need} collection '${collection}' (its scopes: ${caller.scopes.join(', ')})`,
        { collection, need: rule.need },
      );
    }
  }

  /** The collection's name; null when an optional one is absent (or a job is unknown: 404 follows); undefined when it cannot be known. */
  private collectionOf(req: Request, from: CollectionSource): string | null | undefined {
    let value: unknown;
    if ('param' in from) value = req.params[from.param];
    else if ('job' in from) {
      const id: unknown = req.params[from.job];
      return typeof id === 'string' ? (this.jobs.find(id)?.collection_name ?? null) : undefined;
    } else {
      const source: unknown = 'body' in from ? req.body : req.query;
      const field = 'body' in from ? from.body : from.query;
      value =
        typeof source === 'object' && source !== null
          ? (source as Record<string, unknown>)[field]
          : undefined;
      if (value === undefined && from.optional) return null;
    }
    return typeof value === 'string' ? value : undefined;
  }
}
