import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  ACCESS_EXTENSION,
  ACCESS_METADATA,
  AccessRule,
  describeRule,
} from '../../src/auth/require-scope.decorator';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

/** What the routes that exist today need; a route added later only has to declare something. */
const EXPECTED: Record<string, string> = {
  'GET /health/live': 'public',
  'GET /health': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'public',
  'POST /mcp': 'any key',
  'ALL /mcp': 'public',
  'POST /v1/models/:id/pull': 'admin',
  'POST /v1/models/:org/:name/pull': 'admin',
  'DELETE /v1/models/:id': 'admin',
  'DELETE /v1/models/:org/:name': 'admin',
  'GET /v1/models': 'any key',
  'GET /v1/models/:id': 'any key',
  'GET /v1/models/:org/:name': 'any key',
  'POST /v1/models/:id/load': 'admin',
  'POST /v1/models/:org/:name/load': 'admin',
  'POST /v1/models/:id/unload': 'admin',
  'POST /v1/models/:org/:name/unload': 'admin',
  'POST /v1/collections': 'write:{body.name}',
  'GET /v1/collections': 'any key',
  'GET /v1/collections/:name': 'read:{name}',
  'GET /v1/collections/:name/index': 'read:{name}',
  'PATCH /v1/collections/:name': 'write:{name}',
  'DELETE /v1/collections/:name': 'write:{name}',
  'POST /v1/collections/:name/documents': 'write:{name}',
  'GET /v1/collections/:name/documents': 'read:{name}',
  'GET /v1/collections/:name/documents/:id': 'read:{name}',
  'GET /v1/collections/:name/documents/:id/file': 'read:{name}',
  'PUT /v1/collections/:name/documents/:id': 'write:{name}',
  'DELETE /v1/collections/:name/documents/:id': 'write:{name}',
  'POST /v1/collections/:name/search': 'read:{name}',
  'POST /v1/collections/:name/ask': 'read:{name}',
  'POST /v1/collections/:name/jobs': 'write:{name}',
  'GET /v1/jobs': 'read:{query.collection}',
  'GET /v1/jobs/:id': 'read:{job id}',
  'GET /v1/jobs/:id/items': 'read:{job id}',
  'GET /v1/jobs/:id/events': 'read:{job id}',
  'DELETE /v1/jobs/:id': 'write:{job id}',
  'POST /v1/collections/:name/evaluate': 'read:{name}',
  'POST /v1/collections/:name/reembed': 'write:{name}',
  'GET /v1/collections/:name/reembed': 'read:{name}',
  'DELETE /v1/collections/:name/reembed': 'write:{name}',
  'POST /v1/embeddings': 'any key',
  'POST /v1/rerank': 'any key',
  'POST /v1/chat/completions': 'read:{body.collection?}',
  'POST /v1/collections/:name/chat': 'read:{name}',
  'GET /v1/collections/:name/chat/:sessionId': 'read:{name}',
  'DELETE /v1/collections/:name/chat/:sessionId': 'read:{name}',
  'POST /v1/backups': 'admin',
  'GET /v1/backups': 'admin',
  'GET /v1/backups/:id': 'admin',
  'POST /v1/keys': 'admin',
  'GET /v1/keys': 'admin',
  'DELETE /v1/keys/:id': 'admin',
};

interface OpenApi {
  paths: Record<
    string,
    Record<string, { security?: Record<string, string[]>[] } & Record<string, unknown>>
  >;
  components: { securitySchemes?: Record<string, { type: string; scheme: string }> };
}

describe('every route declares what it needs (e2e)', () => {
  let app: INestApplication<App>;
  /** "METHOD /path" → the rule declared on the handler or its controller, undefined if none. */
  const routes = new Map<string, AccessRule | undefined>();
  /** Routes left out of the OpenAPI document on purpose (@ApiExcludeEndpoint's metadata key). */
  let undocumented = 0;

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), PRELOAD_MODELS: 'false' });
    for (const module of app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as unknown as { prototype: Record<string, unknown> };
        const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined) continue;
          const path = [base, Reflect.getMetadata(PATH_METADATA, handler) as string]
            .filter((p) => p && p !== '/')
            .join('/');
          const rule = (Reflect.getMetadata(ACCESS_METADATA, handler) ??
            Reflect.getMetadata(ACCESS_METADATA, controller)) as AccessRule | undefined;
          routes.set(`${RequestMethod[method]} /${path}`, rule);
          if (Reflect.getMetadata('swagger/apiExcludeEndpoint', handler)) undocumented++;
        }
      }
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('finds the routes of every controller', () => {
    expect(routes.size).toBeGreaterThanOrEqual(Object.keys(EXPECTED).length);
  });

  it('has no route without @RequireScope or @Public', () => {
    const undeclared = [...routes].filter(([, rule]) => rule === undefined).map(([r]) => r);
    expect(undeclared).toEqual([]);
  });

  it('gives each route of today the requirement it was designed with', () => {
    const actual = Object.fromEntries(
      Object.keys(EXPECTED).map((r) => {
        const rule = routes.get(r);
        return [r, rule ? describeRule(rule) : routes.has(r) ? 'undeclared' : 'missing'];
      }),
    );
    expect(actual).toEqual(EXPECTED);
  });

  it('documents the bearer scheme and each operation’s requirement in the OpenAPI document', async () => {
    const doc = (await request(app.getHttpServer()).get('/docs-json')).body as OpenApi;
    expect(doc.components.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        const access = op[ACCESS_EXTENSION];
        expect({ route: `${method} ${path}`, declared: typeof access }).toEqual({
          route: `${method} ${path}`,
          declared: 'string',
        });
        const bearer = (op.security ?? []).some((s) => 'bearer' in s);
        expect({ route: `${method} ${path}`, bearer }).toEqual({
          route: `${method} ${path}`,
          bearer: access !== 'public',
        });
        if (access !== 'public') expect(op.responses).toHaveProperty('401');
      }
    }
    expect(operations).toBe(routes.size - undocumented);
  });
});
