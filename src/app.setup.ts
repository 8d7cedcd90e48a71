import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { hostOriginMiddleware } from './auth/host-origin.middleware';
import type { Settings } from './config/settings';
import { VERSION } from './common/version';
import { assignRequestId } from './logging/request-id';
import { JsonTooDeepError, MAX_JSON_DEPTH, nestsDeeperThan } from './http/json-depth';

/**
 * What main.ts and the e2e tests both apply to the app: body limits, JSON errors for bodies the
 * parser refuses, and Swagger at /docs and /docs-json.
 */
export function configureApp(app: INestApplication, settings: Settings): void {
  const express = app as NestExpressApplication;
  express.use(assignRequestId); // first: every response and log line of a request has its id
  express.use(hostOriginMiddleware(settings)); // next: refused requests are not even parsed
  if (settings.security.corsOrigins.length > 0) {
    express.enableCors({
      origin: settings.security.corsOrigins,
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: ['Location', 'Retry-After', 'Idempotent-Replayed', 'X-Request-Id'],
      maxAge: 600,
    });
  }
  express.useBodyParser('json', {
    limit: settings.limits.maxBodyBytes,
    // Depth is checked on the raw bytes, before parsing, validation or idempotency hashing.
    verify: (_req: unknown, _res: unknown, buf: Buffer) => {
      if (nestsDeeperThan(buf, MAX_JSON_DEPTH)) throw new JsonTooDeepError(MAX_JSON_DEPTH);
    },
  });
  express.disable('x-powered-by');

  const config = new DocumentBuilder()
    .setTitle('ragd')
    .setDescription(
      'Self-hosted retrieval-augmented inference: index documents into collections, search them (dense, lexical, hybrid) and ask questions answered by a local model with citations. Errors are JSON: {error: {code, message, details?}}. Once an API key exists (or RAGD_API_KEY is set), every route but /health and /health/live needs Authorization: Bearer <key> (Authorize, above); the scopes of a key decide which collections it may read or write. Requests with a Host that is not allowed get 421 host_not_allowed; state-changing requests from a browser on another origin get 403 cross_site_request.',
    )
    .setVersion(VERSION)
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description:
        'An API key (ragd_...) or RAGD_API_KEY; needed once a key exists or RAGD_API_KEY is set (docs/security.md)',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });

  // Unknown routes and body-parser failures still answer in the error shape.
  express.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
}
