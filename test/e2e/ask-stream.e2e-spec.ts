import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

interface SseEvent {
  event: string;
  data: unknown;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      return { event, data: JSON.parse(data) as unknown };
    });
}

const DOCS = [
  { id: 'moon', text: 'The moon moves around the earth once a month. It has no light of its own.' },
  { id: 'train', text: 'The night train leaves the city station at eight and crosses the river.' },
];

describe('ask: streaming, and a generation model chosen per request (e2e)', () => {
  const apps: INestApplication<App>[] = [];
  let app: INestApplication<App>;
  const http = (a = app) => request(a.getHttpServer());

  async function start(env: Record<string, string>): Promise<INestApplication<App>> {
    const a = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), ...env });
    apps.push(a);
    await http(a).post('/v1/collections').send({ name: 'notes' }).expect(201);
    await http(a).post('/v1/collections/notes/documents').send({ documents: DOCS }).expect(201);
    return a;
  }

  beforeAll(async () => {
    tinyModelsPresent();
    app = await start({});
  });

  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('streams the sources first, then tokens, then the full response', async () => {
    const res = await http()
      .post('/v1/collections/notes/ask')
      .set('accept', 'text/event-stream')
      .send({ question: 'What moves around the earth?', stream: true })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = parseSse(res.text);
    expect(events[0]!.event).toBe('sources');
    const sources = (events[0]!.data as { sources: { n: number; documentId: string }[] }).sources;
    expect(sources[0]).toMatchObject({ n: 1, documentId: 'moon' });
    const tokens = events
      .filter((e) => e.event === 'token')
      .map((e) => (e.data as { text: string }).text);
    expect(tokens.length).toBeGreaterThan(1);
    const done = events[events.length - 1]!;
    expect(done.event).toBe('done');
    const body = done.data as {
      answer: string;
      mode: string;
      citations: { documentId: string }[];
      usage: { completionTokens: number };
    };
    expect(body.mode).toBe('generative');
    expect(tokens.join('').trim()).toBe(body.answer);
    expect(body.citations[0]!.documentId).toBe('moon');
    expect(body.usage.completionTokens).toBeGreaterThan(0);
  });

  it('answers errors before the stream starts as ordinary JSON', async () => {
    const res = await http()
      .post('/v1/collections/nope/ask')
      .send({ question: 'x', stream: true })
      .expect(404);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body.error.code).toBe('collection_not_found');
  });

  it('uses the generation model and precision named in the request, refusing unknown ones with what is available', async () => {
    const ok = await http()
      .post('/v1/collections/notes/ask')
      .send({ question: 'What moves around the earth?', model: 'tiny/chat', dtype: 'fp32' })
      .expect(200);
    expect(ok.body).toMatchObject({ mode: 'generative', model: 'tiny/chat' });
    const unknown = await http()
      .post('/v1/collections/notes/ask')
      .send({ question: 'x', model: 'nobody/nothing' })
      .expect(404);
    expect(unknown.body.error.code).toBe('model_not_found');
    expect(unknown.body.error.details.available).toContain('tiny/chat');
    const dtype = await http()
      .post('/v1/collections/notes/ask')
      .send({ question: 'x', model: 'tiny/chat', dtype: 'q4' })
      .expect(400);
    expect(dtype.body.error.message).toContain('fp32');
    const task = await http()
      .post('/v1/collections/notes/ask')
      .send({ question: 'x', model: 'tiny/embed' })
      .expect(400);
    expect(task.body.error.message).toContain('embedding model');
  });

  it('streams an extractive answer as one token when no generator is available', async () => {
    const noGen = await start({ GENERATION_MODEL: 'tiny/none' });
    const res = await http(noGen)
      .post('/v1/collections/notes/ask')
      .send({ question: 'What moves around the earth?', stream: true })
      .expect(200);
    const events = parseSse(res.text);
    expect(events.map((e) => e.event)).toEqual(['sources', 'token', 'done']);
    const done = events[2]!.data as { answer: string; mode: string; modeReason: string };
    expect(done.mode).toBe('extractive');
    expect(done.modeReason).toContain('tiny/none');
    expect((events[1]!.data as { text: string }).text).toBe(done.answer);
    expect(done.answer).toContain('moon moves around the earth');
  });

  it('refuses to answer when nothing retrieved is relevant, unless minRelevance allows it', async () => {
    const q = { question: 'Who painted the ceiling of the chapel in Rome?' };
    const refused = await http().post('/v1/collections/notes/ask').send(q).expect(200);
    expect(refused.body).toMatchObject({
      refused: true,
      grounded: true,
      citations: [],
      mode: 'extractive',
    });
    expect(refused.body.answer).toMatch(/^Not found in the documents/);
    expect(refused.body.modeReason).toMatch(
      /nothing retrieved is relevant enough: best relevance 0\.\d+ < minRelevance 0\.2/,
    );
    const forced = await http()
      .post('/v1/collections/notes/ask')
      .send({ ...q, minRelevance: 0 })
      .expect(200);
    expect(forced.body).toMatchObject({ refused: false, mode: 'generative' });
  });

  it('flags a generated answer the sources do not support', async () => {
    // tiny/chat answers "Cited [1]." whatever the sources say: a citation with no support.
    const res = await http()
      .post('/v1/collections/notes/ask')
      .send({ question: 'What moves around the earth?' })
      .expect(200);
    expect(res.body).toMatchObject({ mode: 'generative', refused: false, grounded: false });
    expect(res.body.grounding).toEqual({ support: 0, unsupported: ['Cited [1].'] });
  });
});
