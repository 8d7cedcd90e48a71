import * as path from 'node:path';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';
import { ServerProcess, killAllServers } from '../support/server-process';
import { Samples, parsePrometheus, sample } from '../support/prometheus-text';

const ROOT = path.resolve(__dirname, '../..');
const TOKEN = 'metrics-token-0123456789';
const SECRET_TEXT = 'quokkas photosynthesise marmalade';
const API_KEY = 'sk-never-in-logs-4242';

/** Metrics, logs and probes of the built server, as an operator sees them (issue #15). */
describe('operator surface: /metrics, JSON logs, /health/live and /health/ready (e2e, process)', () => {
  let sut: ServerProcess;

  beforeAll(async () => {
    tinyModelsPresent();
    const work = tempDir('ragd-ops-');
    sut = await ServerProcess.start(
      ROOT,
      {
        ...TINY_ENV,
        LOG_LEVEL: 'log',
        STORAGE_DIR: path.join(work, 'storage'),
        METRICS_TOKEN: TOKEN,
        METRICS_MAX_COLLECTIONS: '2',
      },
      path.join(work, 'server.log'),
    );
    await sut.waitForModelReady('embedding', 60_000);
    await sut.waitForModelReady('generation', 60_000);
  });

  afterAll(async () => {
    await sut?.stop();
    killAllServers();
  });

  const call = (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${sut.baseUrl}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const scrape = async (): Promise<Samples> => {
    const res = await fetch(`${sut.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parsePrometheus(await res.text());
  };

  const moved = (before: Samples, after: Samples, name: string, labels = {}) =>
    sample(after, name, labels) - sample(before, name, labels);

  it('refuses /metrics without METRICS_TOKEN, and with a wrong one', async () => {
    const none = await fetch(`${sut.baseUrl}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await fetch(`${sut.baseUrl}/metrics`, {
      headers: { authorization: 'Bearer metrics-token-0123456780' },
    });
    expect(wrong.status).toBe(401);
  });

  it('moves the ingestion series: chunks embedded, vectors, batch sizes, HTTP by route template', async () => {
    const before = await scrape();
    expect((await call('POST', '/v1/collections', { name: 'ops' })).status).toBe(201);
    const add = await call('POST', '/v1/collections/ops/documents', {
      documents: [
        { id: 'moon', text: `The moon goes around the earth once a month. ${SECRET_TEXT}.` },
        { id: 'sun', text: 'The sun is a star. The earth goes around the sun once a year.' },
      ],
    });
    expect(add.status).toBe(201);
    const chunks = ((await add.json()) as { documents: { chunks: number }[] }).documents.reduce(
      (n, d) => n + d.chunks,
      0,
    );
    const after = await scrape();
    expect(sample(after, 'ragd_chunks', { collection: 'ops', state: 'embedded' })).toBe(chunks);
    expect(sample(after, 'ragd_chunks', { collection: 'ops', state: 'pending' })).toBe(0);
    expect(sample(after, 'ragd_index_vectors', { collection: 'ops' })).toBe(chunks);
    expect(moved(before, after, 'ragd_embed_batch_size_sum')).toBe(chunks);
    const route = { route: '/v1/collections/:name/documents', method: 'POST', status: '201' };
    expect(moved(before, after, 'ragd_http_requests_total', route)).toBe(1);
    expect(moved(before, after, 'ragd_http_request_duration_seconds_count', route)).toBe(1);
    expect(sample(after, 'ragd_collections')).toBe(1);
  });

  it('moves the search series: one request, and one of each stage of a hybrid search', async () => {
    const before = await scrape();
    const res = await call('POST', '/v1/collections/ops/search', { query: 'moon earth' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { mode: string }).mode).toBe('hybrid');
    const after = await scrape();
    for (const stage of ['embed', 'dense', 'lexical', 'fuse'])
      expect(moved(before, after, 'ragd_stage_duration_seconds_count', { stage })).toBe(1);
    expect(moved(before, after, 'ragd_stage_duration_seconds_count', { stage: 'rerank' })).toBe(0);
    expect(
      moved(before, after, 'ragd_http_requests_total', {
        route: '/v1/collections/:name/search',
        method: 'POST',
        status: '200',
      }),
    ).toBe(1);
    expect(moved(before, after, 'ragd_queue_wait_seconds_count', { model: 'tiny/embed' })).toBe(1);
    expect(sample(after, 'ragd_queue_depth', { model: 'tiny/embed' })).toBe(0);
  });

  it('moves the answer series: a generative answer, its tokens, its first token and its stage', async () => {
    const before = await scrape();
    const res = await call('POST', '/v1/collections/ops/ask', {
      question: 'What goes around the earth?',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { mode: string; usage: { completionTokens: number } };
    expect(body.mode).toBe('generative');
    const after = await scrape();
    expect(moved(before, after, 'ragd_answers_total', { mode: 'generative' })).toBe(1);
    expect(moved(before, after, 'ragd_answers_total', { mode: 'extractive' })).toBe(0);
    expect(moved(before, after, 'ragd_generated_tokens_total', { model: 'tiny/chat' })).toBe(
      body.usage.completionTokens,
    );
    expect(
      moved(before, after, 'ragd_time_to_first_token_seconds_count', { model: 'tiny/chat' }),
    ).toBe(1);
    expect(moved(before, after, 'ragd_stage_duration_seconds_count', { stage: 'generate' })).toBe(
      1,
    );
    expect(
      sample(after, 'ragd_model_state', {
        model: 'tiny/chat',
        dtype: 'fp32',
        task: 'generation',
        state: 'ready',
      }),
    ).toBe(1);
    expect(sample(after, 'ragd_storage_free_bytes')).toBeGreaterThan(0);
  });

  it('bounds collection labels at METRICS_MAX_COLLECTIONS and sums the rest as "other"', async () => {
    for (const name of ['ops-b', 'ops-c', 'ops-d'])
      expect((await call('POST', '/v1/collections', { name })).status).toBe(201);
    const s = await scrape();
    const collections = new Set(
      [...s.keys()]
        .filter((k) => k.startsWith('ragd_chunks{'))
        .map((k) => /collection="([^"]*)"/.exec(k)![1]),
    );
    expect(collections.size).toBe(3); // 2 kept + "other"
    expect(collections.has('ops')).toBe(true); // the largest keeps its name
    expect(collections.has('other')).toBe(true);
    expect(sample(s, 'ragd_collections')).toBe(4);
  });

  it('answers the probes: live, ready (200 with its checks)', async () => {
    const live = await call('GET', '/health/live');
    expect(live.status).toBe(200);
    expect(((await live.json()) as { status: string }).status).toBe('ok');
    const ready = await call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      status: string;
      checks: { schemaVersion: number; expectedSchemaVersion: number };
    };
    expect(body).toMatchObject({ status: 'ready', checks: { database: true, migrations: true } });
    expect(body.checks.schemaVersion).toBeGreaterThanOrEqual(7);
    expect(body.checks.schemaVersion).toBe(body.checks.expectedSchemaVersion);
  });

  it('returns the X-Request-Id given, puts it in the error body and in every log line of the request', async () => {
    const res = await call(
      'POST',
      '/v1/collections/missing/search',
      { query: SECRET_TEXT },
      { 'x-request-id': 'e2e-req-0001', authorization: `Bearer ${API_KEY}` },
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('e2e-req-0001');
    expect(((await res.json()) as { error: { requestId: string } }).error.requestId).toBe(
      'e2e-req-0001',
    );
    const insane = await call('GET', '/v1/collections/missing', undefined, {
      'x-request-id': 'bad id <x>',
    });
    const given = insane.headers.get('x-request-id');
    expect(given).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await insane.json()) as { error: { requestId: string } }).error.requestId).toBe(given);

    await sut.waitForLog(/"reqId":"e2e-req-0001"/, 5_000);
    const lines = sut.log.split('\n').filter((l) => l.trim() !== '');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>); // every line is JSON
    const ofRequest = records.filter((r) => r.reqId === 'e2e-req-0001');
    expect(ofRequest.length).toBeGreaterThanOrEqual(1);
    expect(ofRequest.at(-1)).toMatchObject({
      msg: 'POST /v1/collections/missing/search 404',
      req: { id: 'e2e-req-0001', method: 'POST', url: '/v1/collections/missing/search' },
      res: { statusCode: 404 },
    });
    expect(
      records.some((r) => r.context === 'Main' && String(r.msg).startsWith('Listening on')),
    ).toBe(true);
    // No document text, question text or key anywhere in the log.
    expect(sut.log).not.toContain('quokkas');
    expect(sut.log).not.toContain(API_KEY);
    expect(sut.log).not.toMatch(/authorization/i);
  });
});
