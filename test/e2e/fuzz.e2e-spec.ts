/**
 * Proof by attack: requests for every route of the OpenAPI document (/docs-json), drawn from the
 * declared schemas and mutated (openapi-arbitraries.ts), thousands in all within a time budget.
 * No response may be 500 or more, and the server must still answer afterwards.
 */
import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import type { App } from 'supertest/types';
import { FuzzRequest, OpenApiArbitraries, OpenApiDocument } from '../support/openapi-arbitraries';
import fs from 'node:fs';
import {
  TINY_ENV,
  TINY_MODELS_DIR,
  createTestApp,
  tempDir,
  tinyModelsPresent,
} from '../support/test-app';

/** Runs per route, and time per route: about 55 routes stay within ~60 s on two busy cores. */
const RUNS_PER_ROUTE = 400;
const MS_PER_ROUTE = 1000;

interface Failure {
  status: number;
  req: FuzzRequest;
  body: string;
}

describe('fuzzing every route from the OpenAPI document (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  let known: Record<string, string[]>;

  beforeAll(async () => {
    tinyModelsPresent();
    // A copy: the fuzzed DELETE /v1/models/{id} really frees a model's files.
    const modelsDir = tempDir('ragd-fuzz-models-');
    fs.cpSync(TINY_MODELS_DIR, modelsDir, { recursive: true });
    app = await createTestApp({
      ...TINY_ENV,
      MODELS_DIR: modelsDir,
      STORAGE_DIR: tempDir(),
      PRELOAD_MODELS: 'false',
      MAX_BODY_BYTES: '200000',
      MAX_FILE_BYTES: '100000',
      GENERATION_MAX_TOKENS: '4',
    });
    await seed();
    const job = await http()
      .post('/v1/collections/c/jobs')
      .attach('files', Buffer.from('A river.'), 'r.txt')
      .expect(202);
    const chat = await http().post('/v1/collections/c/chat').send({ message: 'river?' });
    known = {
      name: ['c'],
      id: ['d1', 'tiny/embed', String((job.body as { id: string }).id)],
      org: ['tiny'],
      sessionId: [String((chat.body as { sessionId?: string }).sessionId ?? 'x')],
    };
  });

  afterAll(async () => {
    await app?.close();
  });

  /** The collection the known values point at, with two documents (a fuzzed DELETE may remove it). */
  async function seed(): Promise<void> {
    if ((await http().get('/v1/collections/c')).status === 404)
      await http().post('/v1/collections').send({ name: 'c' }).expect(201);
    await http()
      .post('/v1/collections/c/documents')
      .send({
        documents: [
          { id: 'd1', text: 'The river flows past the mill.', metadata: { k: 1 } },
          { id: 'd2', text: 'Trains leave the station at noon.' },
        ],
      });
  }

  async function send(req: FuzzRequest): Promise<{ status: number; body: string }> {
    let r = http()[req.method.toLowerCase() as 'get'](req.path).timeout({ response: 10_000 });
    for (const [k, v] of Object.entries(req.headers)) r = r.set(k, v);
    const b = req.body;
    if (b?.kind === 'json')
      r = r.set('content-type', 'application/json').send(JSON.stringify(b.value));
    else if (b?.kind === 'raw') r = r.set('content-type', b.contentType).send(b.text);
    else if (b?.kind === 'multipart') {
      for (const [k, v] of Object.entries(b.fields)) r = r.field(k, v);
      if (b.file)
        r = r.attach(
          req.route.endsWith('/jobs') ? 'files' : 'file',
          Buffer.from(b.file.data),
          b.file.name,
        );
    }
    try {
      const res = await r;
      return { status: res.status, body: res.text?.slice(0, 300) ?? '' };
    } catch (e) {
      const err = e as { timeout?: boolean; status?: number; response?: { text?: string } };
      // A stream of server-sent events stays open by design.
      if (err.timeout && req.route.endsWith('/events')) return { status: 200, body: '(stream)' };
      if (err.status) return { status: err.status, body: err.response?.text ?? '' };
      throw e;
    }
  }

  it('answers thousands of random and mutated requests with no 5xx, and stays alive', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body as OpenApiDocument;
    const sut = new OpenApiArbitraries(doc, known);
    // Removing a model (DELETE /v1/models/{id}) really frees its files: fuzzed last, so the other
    // routes meet the models they expect (a removed model's 503 would be right, not a bug).
    const removesModels = ([method, route]: [string, string, unknown]) =>
      method === 'DELETE' && route.startsWith('/v1/models/');
    const operations = sut
      .operations()
      .sort((x, y) => Number(removesModels(x)) - Number(removesModels(y)));
    expect(operations.length).toBeGreaterThan(30);
    const failures: Failure[] = [];
    let cases = 0;
    const t0 = performance.now();
    for (const [, , arbitrary] of operations) {
      await seed();
      await fc.assert(
        fc.asyncProperty(arbitrary, async (req) => {
          cases++;
          const res = await send(req);
          if (res.status >= 500) failures.push({ status: res.status, req, body: res.body });
        }),
        {
          numRuns: RUNS_PER_ROUTE,
          seed: Number(process.env.FUZZ_SEED ?? 13),
          interruptAfterTimeLimit: MS_PER_ROUTE,
          markInterruptAsFailure: false,
        },
      );
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `fuzz: ${cases} cases over ${operations.length} operations in ${seconds.toFixed(0)} s; ${failures.length} responses >= 500`,
    );
    const distinct = new Map(
      failures.map((f) => [`${f.req.method} ${f.req.route} ${f.status}`, f]),
    );
    expect(
      [...distinct.values()].map((f) => ({ ...f, req: JSON.stringify(f.req).slice(0, 600) })),
    ).toEqual([]);
    expect(cases).toBeGreaterThan(2000);
    expect((await http().get('/health')).status).toBe(200);
  }, 300_000);
});
