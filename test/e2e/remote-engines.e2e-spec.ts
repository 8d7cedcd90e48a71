/**
 * A front ragd with no local models, whose embedding, generation and reranking models are served by
 * a second ragd (the built server, tiny models) whose API keys are on: the front sends the key
 * (*_API_KEY) and everything works through it; a front with a wrong key is told so; the backend
 * killed, the front degrades with its reasons and answers no 5xx, and its /metrics show the
 * replicas down with their failures; started again, it recovers without a restart.
 */
import type { ServerProcess } from '../support/server-process';
import { killAllServers } from '../support/server-process';
import {
  builtServerPresent,
  eventually,
  sseEvents,
  startBackend,
  startFront,
} from '../support/remote-servers';
import { parsePrometheus, sample } from '../support/prometheus-text';

/** The backend's admin key (RAGD_API_KEY): the front sends it as *_API_KEY. */
const BACKEND_KEY = 'backend-key-0123456789abcdef0123456789';
const keys = (key: string) => ({
  EMBEDDING_API_KEY: key,
  GENERATION_API_KEY: key,
  RERANK_API_KEY: key,
});
const TASK_MODELS = [
  ['embedding', 'tiny/embed'],
  ['generation', 'tiny/chat'],
  ['reranking', 'tiny/rerank'],
] as const;

async function metricsOf(server: ServerProcess) {
  const res = await fetch(`${server.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheus(await res.text());
}

interface SearchBody {
  mode: string;
  reranked: boolean;
  modeReason?: string;
  results: { documentId: string; explain?: { rerankScore?: number } }[];
}
interface AskBody {
  mode: string;
  modeReason?: string;
  model: string | null;
  answer: string;
  citations: { documentId: string }[];
}
interface HealthBody {
  status: string;
  modes: { search: string; searchReason?: string; ask: string; askReason?: string };
  models: {
    id: string;
    task: string;
    device: string;
    state: string;
    reason?: string;
    remote?: {
      model: string;
      tokenCounter: string;
      replicas: { state: string; lastError?: string }[];
    };
  }[];
}

const DOCS = [
  { id: 'moon', text: 'The moon moves around the earth once a month. The sun is a star.' },
  { id: 'soup', text: 'Bread and soup make a warm dinner in the cold winter.' },
  { id: 'car', text: 'The red car drives fast on the motorway at night.' },
];

describe('a front ragd whose three engines are another ragd (e2e, processes)', () => {
  let backend: ServerProcess;
  let front: ServerProcess;
  let backendPort: number;

  beforeAll(async () => {
    builtServerPresent();
    backend = await startBackend('backend', undefined, BACKEND_KEY);
    backendPort = Number(new URL(backend.baseUrl).port);
    front = await startFront([backend.baseUrl], keys(BACKEND_KEY));
  });

  afterAll(() => killAllServers());

  it('lists the remote models with their replica in /v1/models and /health', async () => {
    const models = await front.get<{
      data: {
        id: string;
        task: string;
        source: string;
        state: string;
        remote?: { replicas: { url: string; state: string }[] };
      }[];
    }>('/v1/models');
    expect(models.status).toBe(200);
    for (const [task, id] of [
      ['embedding', 'tiny/embed'],
      ['generation', 'tiny/chat'],
      ['reranking', 'tiny/rerank'],
    ]) {
      const m = models.body.data.find((v) => v.task === task && v.id === id);
      expect(m).toMatchObject({ source: 'remote', state: 'ready' });
      expect(m!.remote!.replicas).toEqual([
        expect.objectContaining({ url: `${backend.baseUrl}/v1`, state: 'up' }),
      ]);
    }
    const health = await front.get<HealthBody>('/health');
    expect(health.body.status).toBe('ok');
    const remote = health.body.models.filter((m) => m.device === 'remote');
    expect(remote.map((m) => m.id)).toEqual(['tiny/embed', 'tiny/chat', 'tiny/rerank']);
    // Nothing in-process is loaded (once listed, the multilingual default shows, not loaded).
    for (const m of health.body.models.filter((v) => v.device !== 'remote'))
      expect([m.id, m.state]).toEqual([m.id, 'not_loaded']);
    // No tokenizer in the front's (empty) MODELS_DIR: tokens are estimated, and it says so.
    expect(remote[0]!.remote!.tokenCounter).toBe('estimate');
    const metrics = await metricsOf(front);
    for (const [task, model] of TASK_MODELS) {
      const labels = { task, model, replica: `${backend.baseUrl}/v1` };
      expect(sample(metrics, 'ragd_remote_replica_state', { ...labels, state: 'up' })).toBe(1);
      expect(sample(metrics, 'ragd_remote_replica_state', { ...labels, state: 'down' })).toBe(0);
      expect(sample(metrics, 'ragd_remote_replica_in_flight', labels)).toBe(0);
      const ready = { model, dtype: 'fp32', task, state: 'ready' };
      expect(sample(metrics, 'ragd_model_state', ready)).toBe(1);
    }
  });

  it('a front without the right key is told so, and keeps no key in sight', async () => {
    const direct = await fetch(`${backend.baseUrl}/v1/models`);
    expect(direct.status).toBe(401);
    const wrong = await startFront([backend.baseUrl], keys('not-the-key'), false);
    await eventually('the wrong key to be refused', 20_000, async () => {
      const h = await wrong.get<HealthBody>('/health');
      const remote = h.body.models.filter((m) => m.device === 'remote');
      return remote.length === 3 && remote.every((m) => m.state === 'unavailable');
    });
    const health = await wrong.get<HealthBody>('/health');
    for (const m of health.body.models.filter((v) => v.device === 'remote'))
      expect(m.remote!.replicas[0]!.lastError).toMatch(/401.*check the API key/);
    expect(JSON.stringify(health.body)).not.toContain('not-the-key');
    const metrics = await metricsOf(wrong);
    for (const [task, model] of TASK_MODELS) {
      const labels = { task, model, replica: `${backend.baseUrl}/v1` };
      const refused = sample(metrics, 'ragd_remote_failures_total', { ...labels, kind: 'http' });
      expect([task, refused >= 1]).toEqual([task, true]);
      expect(sample(metrics, 'ragd_remote_replica_state', { ...labels, state: 'down' })).toBe(1);
    }
    await wrong.kill();
  });

  it('ingests, searches hybrid with reranking, asks (plain and streamed) and chats through it', async () => {
    expect(
      (await front.post('/v1/collections', { name: 'c', search: { rerank: true } })).status,
    ).toBe(201);
    const add = await front.post<{ embedding: { state: string; tokenCounter: string } }>(
      '/v1/collections/c/documents',
      { documents: DOCS },
    );
    expect(add.status).toBe(201);
    expect(add.body.embedding).toMatchObject({ state: 'done', tokenCounter: 'estimate' });

    const search = await front.post<SearchBody>('/v1/collections/c/search', {
      query: 'moon around the earth',
      explain: true,
    });
    expect(search.status).toBe(200);
    expect(search.body).toMatchObject({ mode: 'hybrid', reranked: true });
    expect(search.body.modeReason).toBeUndefined();
    expect(search.body.results[0]!.documentId).toBe('moon');
    // The front's rerank score is the backend's relevance for the same pair, as a logit.
    const direct = await backend.post<{ results: { index: number; relevance_score: number }[] }>(
      '/v1/rerank',
      { model: 'tiny/rerank', query: 'moon around the earth', documents: [DOCS[0]!.text] },
    );
    const p = direct.body.results[0]!.relevance_score;
    expect(search.body.results[0]!.explain!.rerankScore).toBeCloseTo(Math.log(p / (1 - p)), 4);

    const ask = await front.post<AskBody>('/v1/collections/c/ask', {
      question: 'What moves around the earth?',
    });
    expect(ask.status).toBe(200);
    expect(ask.body).toMatchObject({ mode: 'generative', model: 'tiny/chat' });
    expect(ask.body.citations[0]!.documentId).toBe('moon');

    const streamed = await fetch(`${front.baseUrl}/v1/collections/c/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'What moves around the earth?', stream: true }),
    });
    const events = sseEvents(await streamed.text());
    const names = events.map(([e]) => e);
    expect(names[0]).toBe('sources');
    expect(names.filter((n) => n === 'token').length).toBeGreaterThan(0);
    expect(names.at(-1)).toBe('done');
    const done = events.at(-1)![1] as AskBody;
    const tokens = events
      .filter(([e]) => e === 'token')
      .map(([, d]) => (d as { text: string }).text);
    expect(tokens.join('').trim().length).toBeGreaterThan(0);
    expect(done.mode).toBe('generative');
    expect(done.answer).toBe(ask.body.answer); // temperature 0: the same answer, streamed

    const chat = await front.post<AskBody & { sessionId: string }>('/v1/collections/c/chat', {
      message: 'What moves around the earth?',
    });
    expect(chat.status).toBe(200);
    expect(chat.body.mode).toBe('generative');
    expect(chat.body.sessionId).toEqual(expect.any(String));
  });

  it("serves the OpenAI routes through it: the front's vectors are the backend's", async () => {
    const input = ['the red car', 'bread and soup'];
    const mine = await front.post<{ data: { embedding: number[] }[] }>('/v1/embeddings', {
      model: 'tiny/embed',
      input,
    });
    const theirs = await backend.post<{ data: { embedding: number[] }[] }>('/v1/embeddings', {
      model: 'tiny/embed',
      input,
    });
    expect(mine.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const a = mine.body.data[i]!.embedding;
      const b = theirs.body.data[i]!.embedding;
      expect(a).toHaveLength(b.length);
      for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k]!, 5);
    }

    const chat = await front.post<{
      choices: { message: { content: string } }[];
      usage: { completion_tokens: number };
    }>('/v1/chat/completions', {
      model: 'tiny/chat',
      messages: [{ role: 'user', content: 'Say hello.' }],
      max_tokens: 4,
    });
    expect(chat.status).toBe(200);
    expect(chat.body.usage.completion_tokens).toBeGreaterThan(0);
    expect(chat.body.usage.completion_tokens).toBeLessThanOrEqual(4);

    const res = await fetch(`${front.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'tiny/chat',
        messages: [{ role: 'user', content: 'Say hello.' }],
        max_tokens: 4,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const events = sseEvents(await res.text()).map(([, d]) => d);
    expect(events.at(-1)).toBe('[DONE]');
    const usage = (events.at(-2) as { usage: { completion_tokens: number } }).usage;
    expect(usage.completion_tokens).toBe(chat.body.usage.completion_tokens);

    const rerank = await front.post<{ results: { index: number; relevance_score: number }[] }>(
      '/v1/rerank',
      { model: 'tiny/rerank', query: 'red car', documents: ['bread and soup', 'the red car'] },
    );
    expect(rerank.status).toBe(200);
    expect(rerank.body.results.map((r) => r.index)).toEqual([1, 0]);
  });

  it('degrades with the reason and no 5xx while the backend is down, and recovers when it is back', async () => {
    await backend.kill();
    for (let i = 0; i < 3; i++) {
      const search = await front.post<SearchBody>('/v1/collections/c/search', {
        query: 'moon around the earth',
      });
      expect(search.status).toBe(200);
      expect(search.body.mode).toBe('lexical');
      expect(search.body.reranked).toBe(false);
      expect(search.body.modeReason).toMatch(/tiny\/embed.*(ECONNREFUSED|unavailable)/);
      expect(search.body.results[0]!.documentId).toBe('moon');
    }
    const ask = await front.post<AskBody>('/v1/collections/c/ask', {
      question: 'What moves around the earth?',
    });
    expect(ask.status).toBe(200);
    expect(ask.body.mode).toBe('extractive');
    expect(ask.body.modeReason).toMatch(/generation model tiny\/chat .*(ECONNREFUSED|unavailable)/);
    const add = await front.post<{
      embedding: { state: string; pendingChunks: number; reason: string };
    }>('/v1/collections/c/documents', {
      documents: [{ id: 'cats', text: 'Cats sleep for most of the long day.' }],
    });
    expect(add.status).toBe(201);
    expect(add.body.embedding).toMatchObject({ state: 'pending', pendingChunks: 1 });
    expect(add.body.embedding.reason).toMatch(/no replica can serve it/);
    const health = await front.get<HealthBody>('/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.modes).toMatchObject({ search: 'lexical', ask: 'extractive' });
    expect(health.body.modes.searchReason).toMatch(/ECONNREFUSED/);
    for (const m of health.body.models.filter((v) => v.device === 'remote')) {
      expect(m.state).toBe('unavailable');
      expect(m.remote!.replicas[0]!.state).toBe('down');
      expect(m.remote!.replicas[0]!.lastError).toMatch(/ECONNREFUSED/);
    }
    const embeddings = await front.post<{ error: { code: string } }>('/v1/embeddings', {
      model: 'tiny/embed',
      input: 'x',
    });
    expect(embeddings.status).toBe(503);
    expect(embeddings.body.error.code).toBe('model_unavailable');
    const metrics = await metricsOf(front);
    for (const [task, model] of TASK_MODELS) {
      const labels = { task, model, replica: `${backend.baseUrl}/v1` };
      expect(sample(metrics, 'ragd_remote_replica_state', { ...labels, state: 'down' })).toBe(1);
      const unavailable = { model, dtype: 'fp32', task, state: 'unavailable' };
      expect(sample(metrics, 'ragd_model_state', unavailable)).toBe(1);
      const failures = sample(metrics, 'ragd_remote_failures_total', {
        ...labels,
        kind: 'unreachable',
      });
      expect([task, failures >= 1]).toEqual([task, true]);
    }

    backend = await startBackend('backend-again', backendPort, BACKEND_KEY);
    await eventually('the front to see its engines back', 20_000, async () => {
      const h = await front.get<HealthBody>('/health');
      return h.body.status === 'ok';
    });
    await eventually('the pending chunk to be embedded', 20_000, async () => {
      const c = await front.get<{ counts: { pending: number; vectors: number; chunks: number } }>(
        '/v1/collections/c',
      );
      return c.body.counts.pending === 0 && c.body.counts.vectors === c.body.counts.chunks;
    });
    const search = await front.post<SearchBody>('/v1/collections/c/search', {
      query: 'cats sleep',
    });
    expect(search.body).toMatchObject({ mode: 'hybrid', reranked: true });
    expect(search.body.results[0]!.documentId).toBe('cats');
    const again = await front.post<AskBody>('/v1/collections/c/ask', {
      question: 'What moves around the earth?',
    });
    expect(again.body.mode).toBe('generative');
  });
});
