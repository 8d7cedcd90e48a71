import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const DOCS = [
  { id: 'moon', text: 'The moon moves around the earth once a month. It has no light of its own.' },
  {
    id: 'train',
    text: 'The night train leaves the city station at eight and crosses the river to the mountain village.',
  },
];

describe('conversations: history in SQLite, follow-ups rewritten to stand alone (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir() });
    for (const name of ['travel', 'other']) {
      await http().post('/v1/collections').send({ name }).expect(201);
      await http().post(`/v1/collections/${name}/documents`).send({ documents: DOCS }).expect(201);
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers a follow-up from what the conversation is about', async () => {
    const first = await http()
      .post('/v1/collections/travel/chat')
      .send({ message: 'When does the night train leave?' })
      .expect(200);
    expect(first.body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.body).toMatchObject({
      rewrite: 'none',
      standaloneQuery: 'When does the night train leave?',
    });
    expect(first.body.citations[0].documentId).toBe('train');

    const sessionId = first.body.sessionId as string;
    const follow = await http()
      .post('/v1/collections/travel/chat')
      .send({ sessionId, message: 'Where does it go?' })
      .expect(200);
    // tiny/chat's "rewrite" ("Cited [1].") is off the conversation, so the previous query's words are carried over.
    expect(follow.body.rewrite).toBe('heuristic');
    expect(follow.body.standaloneQuery).toBe('Where does it go? night train leave');
    expect(follow.body.refused).toBe(false);
    expect(follow.body.citations[0].documentId).toBe('train');

    // The same words without the conversation find nothing relevant.
    const alone = await http()
      .post('/v1/collections/travel/ask')
      .send({ question: 'Where does it go?' })
      .expect(200);
    expect(alone.body.refused).toBe(true);

    const history = await http().get(`/v1/collections/travel/chat/${sessionId}`).expect(200);
    expect(history.body.turns.map((t: { role: string }) => t.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(history.body.turns[2]).toMatchObject({
      content: 'Where does it go?',
      standaloneQuery: 'Where does it go? night train leave',
    });
    expect(history.body.turns[3].citations[0]).toMatchObject({ n: 1, documentId: 'train' });
  });

  it('keeps conversations to their collection, and forgets them on request', async () => {
    const { body } = await http()
      .post('/v1/collections/travel/chat')
      .send({ message: 'What moves around the earth?' })
      .expect(200);
    const elsewhere = await http()
      .post('/v1/collections/other/chat')
      .send({ sessionId: body.sessionId, message: 'And its light?' })
      .expect(404);
    expect(elsewhere.body.error.code).toBe('conversation_not_found');
    await http().get(`/v1/collections/travel/chat/not-a-uuid`).expect(400);
    await http()
      .post('/v1/collections/travel/chat')
      .send({ sessionId: 'not-a-uuid', message: 'x' })
      .expect(400);
    await http().post('/v1/collections/travel/chat').send({ message: '' }).expect(400);
    await http().delete(`/v1/collections/travel/chat/${body.sessionId}`).expect(204);
    await http().get(`/v1/collections/travel/chat/${body.sessionId}`).expect(404);
  });
});
