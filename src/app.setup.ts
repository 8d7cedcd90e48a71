import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
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
      'Self-hosted retrieval-augmented inference: index documents into collections, search them (dense, lexical, hybrid) and ask questions answered by a local model with citations. Errors are JSON: {error: {code, message, details?}}.',
    )
    .setVersion(VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  // Unknown routes and body-parser failures still answer in the error shape.
  express.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
}
