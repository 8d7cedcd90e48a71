/**
 * Remote engines that misbehave (a tiny fault server on loopback): slow past the timeout, vectors
 * of another width, malformed JSON, a broken or malformed event stream. Each gives a clear error,
 * nothing is stored wrongly, and the model comes back when the server behaves again. Then a models
 * file (YAML) that declares a remote model beside the local ones: a collection is re-embedded from
 * the local model to the remote one and back.
 */
import { INestApplication } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { startFaultEngine, type FaultEngine } from '../support/fault-engine';
import { eventually, sseEvents } from '../support/remote-servers';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

interface Health {
  models: {
    id: string;
    state: string;
    reason?: string;
    remote?: { replicas: { state: string; lastError?: string }[] };
  }[];
}

const FAST = {
  EMBEDDING_TIMEOUT_MS: '2000',
  GENERATION_IDLE_TIMEOUT_MS: '2000',
  REMOTE_PROBE_MAX_MS: '200',
  MODEL_RETRY_MS: '1000',
};

describe('remote engines that misbehave (e2e)', () => {
  let fault: FaultEngine;
  let app: INestApplication;
  let http: App;

  beforeAll(async () => {
    fault = await startFaultEngine();
    app = await createTestApp({
      ...TINY_ENV,
      ...FAST,
      MODELS_DIR: tempDir('ragd-no-models-'),
      STORAGE_DIR: tempDir(),
      EMBEDDING_MODEL: 'fault/embed',
      GENERATION_MODEL: 'fault/chat',
      EMBEDDING_ENDPOINT: fault.url,
      GENERATION_ENDPOINT: fault.url,
    });
    http = app.getHttpServer() as App;
  });

  afterAll(async () => {
    await app?.close();
    await fault?.close();
  });

  const embedModel = async () =>
    (await request(http).get('/health')).body as Health & { models: Health['models'] };
  const replicaError = async () =>
    (await embedModel()).models.find((m) => m.id === 'fault/embed')!.remote!.replicas[0]!.lastError;
  const counts = async () =>
    (await request(http).get('/v1/collections/f')).body as {
      embeddingDim: number;
      counts: { vectors: number; pending: number; chunks: number };
    };

  it('stores vectors of the width it learnt first, and refuses another width', async () => {
    await request(http).post('/v1/collections').send({ name: 'f' }).expect(201);
    const first = await request(http)
      .post('/v1/collections/f/documents')
      .send({ documents: [{ id: 'a', text: 'The red car drives fast.' }] })
      .expect(201);
    expect(first.body.embedding).toMatchObject({ state: 'done' });
    expect(await counts()).toMatchObject({ embeddingDim: 8, counts: { vectors: 1, pending: 0 } });

    fault.state.embed = 'wide';
    const second = await request(http)
      .post('/v1/collections/f/documents')
      .send({ documents: [{ id: 'b', text: 'Bread and soup for dinner.' }] })
      .expect(201);
    expect(second.body.embedding.state).toBe('pending');
    expect(second.body.embedding.reason).toMatch(/answered 16 dimensions where fault\/embed has 8/);
    expect(await counts()).toMatchObject({ embeddingDim: 8, counts: { vectors: 1, pending: 1 } });

    const direct = await request(http)
      .post('/v1/embeddings')
      .send({ model: 'fault/embed', input: 'x' });
    expect(direct.status).toBe(503);
    expect(direct.body.error.message).toMatch(/16 dimensions/);
    const search = await request(http)
      .post('/v1/collections/f/search')
      .send({ query: 'red car' })
      .expect(200);
    expect(search.body.mode).toBe('lexical');
    expect(search.body.modeReason).toMatch(/16 dimensions/);
  });

  it('says so when the server answers malformed JSON, or too slowly', async () => {
    fault.state.embed = 'malformed';
    await eventually('the probe to see malformed JSON', 10_000, async () =>
      /malformed JSON/.test((await replicaError()) ?? ''),
    );
    const malformed = await request(http)
      .post('/v1/embeddings')
      .send({ model: 'fault/embed', input: 'x' });
    expect(malformed.status).toBe(503);
    expect(malformed.body.error.message).toMatch(/malformed JSON/);

    fault.state.embed = 'slow';
    await eventually('the probe to time out', 15_000, async () =>
      /no (answer|response) within 2000 ms/.test((await replicaError()) ?? ''),
    );
    const health = await embedModel();
    expect(health.models.find((m) => m.id === 'fault/embed')!.state).toBe('unavailable');
    expect(await counts()).toMatchObject({ embeddingDim: 8, counts: { vectors: 1, pending: 1 } });
  });

  it('comes back by itself when the server behaves, and embeds what was pending', async () => {
    fault.state.embed = 'ok';
    await eventually('the pending chunk to be embedded', 10_000, async () => {
      const c = await counts();
      return c.counts.pending === 0 && c.counts.vectors === 2;
    });
    expect((await counts()).embeddingDim).toBe(8);
    const search = await request(http)
      .post('/v1/collections/f/search')
      .send({ query: 'bread soup' })
      .expect(200);
    expect(search.body.mode).toBe('hybrid');
    expect(search.body.results[0].documentId).toBe('b');
  });

  it('a stream that breaks after text is a clear error, never repeated', async () => {
    fault.state.chat = 'broken';
    const before = fault.state.chatRequests;
    const plain = await request(http)
      .post('/v1/chat/completions')
      .send({ model: 'fault/chat', messages: [{ role: 'user', content: 'hi' }] });
    expect(plain.status).toBe(502);
    expect(plain.body.error.code).toBe('remote_engine_error');
    expect(plain.body.error.message).toMatch(/broke off after 2 pieces of text \(not repeated\)/);
    expect(fault.state.chatRequests).toBe(before + 1);

    await eventually('the generator to be probed back in', 5000, async () => {
      const h = await embedModel();
      return h.models.find((m) => m.id === 'fault/chat')!.state === 'ready';
    });
    const streamed = await request(http)
      .post('/v1/chat/completions')
      .send({ model: 'fault/chat', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => done(null, text));
      });
    const events = sseEvents(streamed.body as string).map(([, d]) => d as Record<string, unknown>);
    const content = events
      .map(
        (e) => (e.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content,
      )
      .join('');
    expect(content).toBe('Hello there');
    expect(events.at(-1)).toMatchObject({ error: { code: 'remote_engine_error' } });
    expect(fault.state.chatRequests).toBe(before + 2);
  });

  it('a malformed event stream is a clear error', async () => {
    fault.state.chat = 'malformed';
    await eventually('the generator to be ready', 5000, async () => {
      const h = await embedModel();
      return h.models.find((m) => m.id === 'fault/chat')!.state === 'ready';
    });
    const res = await request(http)
      .post('/v1/chat/completions')
      .send({ model: 'fault/chat', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/malformed event/);

    fault.state.chat = 'ok';
    await eventually('the generator to be ready', 5000, async () => {
      const h = await embedModel();
      return h.models.find((m) => m.id === 'fault/chat')!.state === 'ready';
    });
    const ok = await request(http)
      .post('/v1/chat/completions')
      .send({ model: 'fault/chat', messages: [{ role: 'user', content: 'hi' }] })
      .expect(200);
    expect(ok.body.choices[0].message.content).toBe('Hello there');
    expect(ok.body.usage).toEqual({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
  });
});

describe('a models file with local and remote models (e2e)', () => {
  let fault: FaultEngine;
  let app: INestApplication;
  let http: App;

  beforeAll(async () => {
    tinyModelsPresent();
    fault = await startFaultEngine();
    const file = path.join(tempDir('ragd-models-file-'), 'models.yaml');
    fs.writeFileSync(
      file,
      [
        'models:',
        '  - id: hashed',
        '    task: embedding',
        `    endpoints: [${fault.url}]`,
        '    model: fault/embed',
        '    dimensions: 8',
        '  - id: tiny/embed-wide',
        '    task: embedding',
        '    dtype: fp32',
        '',
      ].join('\n'),
    );
    app = await createTestApp({ ...TINY_ENV, ...FAST, STORAGE_DIR: tempDir(), MODELS_FILE: file });
    http = app.getHttpServer() as App;
  });

  afterAll(async () => {
    await app?.close();
    await fault?.close();
  });

  it('lists every model and re-embeds a collection from a local model to a remote one and back', async () => {
    type Models = { data: { id: string; task: string; source: string; state: string }[] };
    const list = async () => (await request(http).get('/v1/models').expect(200)).body as Models;
    await eventually('the remote model to be reached', 10_000, async () =>
      (await list()).data.some((m) => m.id === 'hashed' && m.state !== 'loading'),
    );
    const models = await list();
    expect(models.data.find((m) => m.id === 'hashed')).toMatchObject({
      task: 'embedding',
      source: 'remote',
      state: 'ready',
    });
    expect(models.data.find((m) => m.id === 'tiny/embed-wide')?.source).toBe('models_dir');

    await request(http).post('/v1/collections').send({ name: 'm' }).expect(201);
    await request(http)
      .post('/v1/collections/m/documents')
      .send({
        documents: [
          { id: 'car', text: 'The red car drives fast.' },
          { id: 'soup', text: 'Bread and soup for dinner.' },
        ],
      })
      .expect(201);
    const local = (await request(http).get('/v1/collections/m')).body as { embeddingDim: number };
    expect(local.embeddingDim).not.toBe(8);

    const reembed = async (model: string, dim: number) => {
      await request(http)
        .post('/v1/collections/m/reembed')
        .send({ embeddingModel: model })
        .expect(202);
      await eventually(`the switch to ${model}`, 20_000, async () => {
        const c = (await request(http).get('/v1/collections/m')).body as {
          embeddingModel: string;
          embeddingDim: number;
          reembed?: { state: string };
        };
        if (c.reembed?.state === 'failed') throw new Error(JSON.stringify(c.reembed));
        return c.embeddingModel === model && c.embeddingDim === dim && c.reembed?.state === 'done';
      });
      const search = await request(http)
        .post('/v1/collections/m/search')
        .send({ query: 'bread soup', mode: 'dense' })
        .expect(200);
      expect(search.body.results[0].documentId).toBe('soup');
    };
    await reembed('hashed', 8);
    await reembed('tiny/embed', local.embeddingDim);
  });
});
