import { SetMetadata, applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorDto } from '../http/error.dto';
import type { Need } from './scopes';

/** Where the guard finds the collection a request is about. */
export type CollectionSource =
  | { param: string }
  /** A field of the JSON body (parsed before guards run); `optional`: absent means no collection. */
  | { body: string; optional?: boolean }
  | { query: string; optional?: boolean }
  /** The collection of the job whose id is this path parameter. */
  | { job: string };

/** What a route needs, read by the global guard (AuthGuard). A route without one needs admin. */
export type AccessRule =
  | { kind: 'public' }
  /** Any valid key (routes about no one collection: embeddings, models list). */
  | { kind: 'key' }
  | { kind: 'admin' }
  | { kind: 'collection'; need: Need; from: CollectionSource };

export const ACCESS_METADATA = 'ragd:access';

/** The OpenAPI extension naming a route's requirement, e.g. "read:{name}". */
export const ACCESS_EXTENSION = 'x-ragd-access';

/**
 * The scope a route needs: `admin`; `key` (any valid key); `read` or `write` on the collection of
 * the `:name` path parameter, or of `from`.
 */
export function RequireScope(scope: 'admin' | 'key'): MethodDecorator & ClassDecorator;
export function RequireScope(
  scope: Need,
  from?: CollectionSource,
): MethodDecorator & ClassDecorator;
export function RequireScope(
  scope: 'admin' | 'key' | Need,
  from: CollectionSource = { param: 'name' },
): MethodDecorator & ClassDecorator {
  const rule: AccessRule =
    scope === 'admin' || scope === 'key'
      ? { kind: scope }
      : { kind: 'collection', need: scope, from };
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, rule),
    ApiExtension(ACCESS_EXTENSION, describeRule(rule)),
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({
      type: ErrorDto,
      description: 'unauthorized: API keys are on and the request has no valid key',
    }),
    ApiForbiddenResponse({
      type: ErrorDto,
      description: `forbidden: the key's scopes do not allow ${describeRule(rule)}; or cross_site_request (a browser on another origin)`,
    }),
    ApiTooManyRequestsResponse({
      type: ErrorDto,
      description:
        'rate_limited: the key is past RATE_LIMIT_PER_MINUTE (or an upload limit); Retry-After',
    }),
  );
}

/** A route anyone may call, with or without a key (the handler may show less without one). */
export function Public(): MethodDecorator & ClassDecorator {
  const rule: AccessRule = { kind: 'public' };
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, rule),
    ApiExtension(ACCESS_EXTENSION, describeRule(rule)),
  );
}

/** "admin", "any key", "read:{name}", "write:{body.name}", "read:{job id}". */
export function describeRule(rule: AccessRule): string {
  switch (rule.kind) {
    case 'public':
      return 'public';
    case 'key':
      return 'any key';
    case 'admin':
      return 'admin';
    case 'collection': {
      const f = rule.from;
      const where =
        'param' in f
          ? f.param
          : 'body' in f
            ? `body.${f.body}${f.optional ? '?' : ''}`
            : 'query' in f
              ? `query.${f.query}${f.optional ? '?' : ''}`
              : `job ${f.job}`;
      return `${rule.need}:{${where}}`;
    }
  }
}
