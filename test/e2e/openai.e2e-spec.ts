import { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

/** The official OpenAI client, pointed at the server as a user would point it. */
describe('the OpenAI-compatible API through the official openai client (e2e)', () => {
  let app: INestApplication;
  let sut: OpenAI;

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: tempDir(), EMBED_BATCH_SIZE: '2' });
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    const post = (p: string, body: unknown) =>
      fetch(`${base.replace('[::1]', '127.0.0.1')}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/v1/collections', { name: 'sky' })).status).toBe(201);
    const docs = [
      {
        id: 'moon',
        text: 'The moon moves around the earth once a month. It has no light of its own.',
      },
      {
        id: 'train',
        text: 'The night train leaves the city station at eight and crosses the river.',
      },
    ];
    expect((await post('/v1/collections/sky/documents', { documents: docs })).status).toBe(201);
    const { port } = app.getHttpServer().address() as AddressInfo;
    sut = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await app?.close();
  });

  const norm = (v: number[]) => Math.hypot(...v);

  it('embeds one text (the client asks for base64 and decodes it)', async () => {
    const res = await sut.embeddings.create({
      model: 'tiny/embed',
      input: 'The river runs past the old mill.',
    });
    expect(res.object).toBe('list');
    expect(res.model).toBe('tiny/embed');
    expect(res.data).toHaveLength(1);
    expect(res.data[0]!.embedding).toHaveLength(128);
    expect(norm(res.data[0]!.embedding)).toBeCloseTo(1, 4);
    expect(res.usage.prompt_tokens).toBeGreaterThan(5);
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens);
  });

  it('embeds many texts of mixed lengths, each as it would be alone, in input order', async () => {
    const input = [
      'garden',
      'the train leaves the station at eight in the morning',
      'river',
      'a long note about the kitchen and the bread and the soup for dinner tonight',
      'winter',
    ];
    const batch = await sut.embeddings.create({
      model: 'tiny/embed',
      input,
      encoding_format: 'float',
    });
    expect(batch.data.map((d) => d.index)).toEqual([0, 1, 2, 3, 4]);
    for (const [i, text] of input.entries()) {
      const alone = (await sut.embeddings.create({ model: 'tiny/embed', input: text })).data[0]!
        .embedding;
      const got = batch.data[i]!.embedding;
      const cos = got.reduce((s, x, k) => s + x * alone[k]!, 0);
      expect(cos).toBeGreaterThan(0.999);
    }
  });

  it('uses any embedding model the server has, with its own width', async () => {
    const res = await sut.embeddings.create({
      model: 'tiny/embed-wide',
      input: ['garden', 'river'],
    });
    expect(res.data.map((d) => d.embedding.length)).toEqual([192, 192]);
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const m of sut.models.list()) ids.push(m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['tiny/embed', 'tiny/chat', 'tiny/rerank', 'tiny/embed-wide']),
    );
    const one = await sut.models.retrieve('tiny/embed');
    expect(one).toMatchObject({ id: 'tiny/embed', object: 'model', owned_by: 'tiny' });
  });

  it("reports errors in OpenAI's shape, which the client turns into its error classes", async () => {
    const missing = await sut.embeddings
      .create({ model: 'nobody/nothing', input: 'x' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).type).toBe(
      'invalid_request_error',
    );

    const wrongTask = await sut.embeddings
      .create({ model: 'tiny/chat', input: 'x' })
      .catch((e: unknown) => e);
    expect(wrongTask).toBeInstanceOf(OpenAI.BadRequestError);
    expect((wrongTask as Error).message).toContain('generation model');

    const dims = await sut.embeddings
      .create({ model: 'tiny/embed', input: 'x', dimensions: 64 })
      .catch((e: unknown) => e);
    expect(dims).toBeInstanceOf(OpenAI.BadRequestError);
    expect((dims as Error).message).toContain('128');

    const empty = (await sut.embeddings
      .create({ model: 'tiny/embed', input: [] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    expect(empty.param).toBe('input');
  });

  it('completes a chat with a generation model, with usage', async () => {
    const res = await sut.chat.completions.create({
      model: 'tiny/chat',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('tiny/chat');
    expect(res.choices[0]!.message).toEqual({ role: 'assistant', content: 'Cited [1].' });
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage!.completion_tokens).toBeGreaterThan(0);
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
  });

  it('streams a chat as chunks and [DONE], with a usage chunk on request', async () => {
    const stream = await sut.chat.completions.create({
      model: 'tiny/chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishes: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        finishes.push(c.finish_reason);
      }
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe('Cited [1].');
    expect(finishes[finishes.length - 1]).toBe('stop');
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it('answers from a collection with the sources it cites, streaming or not', async () => {
    const body = {
      model: 'tiny/chat',
      messages: [{ role: 'user' as const, content: 'What moves around the earth?' }],
      collection: 'sky',
    };
    const res = (await sut.chat.completions.create(
      body as OpenAI.ChatCompletionCreateParamsNonStreaming,
    )) as OpenAI.ChatCompletion & {
      sources: { n: number; documentId: string }[];
    };
    expect(res.choices[0]!.message.content).toBe('Cited [1].');
    expect(res.sources).toEqual([expect.objectContaining({ n: 1, documentId: 'moon' })]);

    const stream = await sut.chat.completions.create({
      ...body,
      stream: true,
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const seen: { sources?: { documentId: string }[] }[] = [];
    let text = '';
    for await (const chunk of stream) {
      seen.push(chunk as unknown as { sources?: { documentId: string }[] });
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(seen[0]!.sources![0]!.documentId).toBe('moon'); // the candidate sources come first
    expect(seen[seen.length - 1]!.sources).toEqual([
      expect.objectContaining({ documentId: 'moon' }),
    ]); // the cited ones last
    expect(text).toBe('Cited [1].');
  });

  it("refuses unknown models, models of another task and bad messages in OpenAI's error shape", async () => {
    const unknown = await sut.chat.completions
      .create({ model: 'nobody/nothing', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const task = await sut.chat.completions
      .create({ model: 'tiny/embed', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(task).toBeInstanceOf(OpenAI.BadRequestError);
    const empty = (await sut.chat.completions
      .create({ model: 'tiny/chat', messages: [] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    expect(empty.param).toBe('messages');
    const noCollection = await sut.chat.completions
      .create({
        model: 'tiny/chat',
        messages: [{ role: 'user', content: 'x' }],
        collection: 'nope',
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(noCollection).toBeInstanceOf(OpenAI.NotFoundError);
    expect((noCollection as InstanceType<typeof OpenAI.NotFoundError>).code).toBe(
      'collection_not_found',
    );
  });
});
