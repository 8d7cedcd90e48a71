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
    const { port } = app.getHttpServer().address() as AddressInfo;
    sut = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await app?.close();
  });

  const norm = (v: number[]) => Math.hypot(...v);

  it('embeds one text (the client asks for base64 and decodes it)', async () => {
    const res = await sut.embeddings.create({ model: 'tiny/embed', input: 'The river runs past the old mill.' });
    expect(res.object).toBe('list');
    expect(res.model).toBe('tiny/embed');
    expect(res.data).toHaveLength(1);
    expect(res.data[0]!.embedding).toHaveLength(128);
    expect(norm(res.data[0]!.embedding)).toBeCloseTo(1, 4);
    expect(res.usage.prompt_tokens).toBeGreaterThan(5);
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens);
  });

  it('embeds many texts of mixed lengths, each as it would be alone, in input order', async () => {
    const input = ['garden', 'the train leaves the station at eight in the morning', 'river', 'a long note about the kitchen and the bread and the soup for dinner tonight', 'winter'];
    const batch = await sut.embeddings.create({ model: 'tiny/embed', input, encoding_format: 'float' });
    expect(batch.data.map((d) => d.index)).toEqual([0, 1, 2, 3, 4]);
    for (const [i, text] of input.entries()) {
      const alone = (await sut.embeddings.create({ model: 'tiny/embed', input: text })).data[0]!.embedding;
      const got = batch.data[i]!.embedding;
      const cos = got.reduce((s, x, k) => s + x * alone[k]!, 0);
      expect(cos).toBeGreaterThan(0.999);
    }
  });

  it('uses any embedding model the server has, with its own width', async () => {
    const res = await sut.embeddings.create({ model: 'tiny/embed-wide', input: ['garden', 'river'] });
    expect(res.data.map((d) => d.embedding.length)).toEqual([192, 192]);
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const m of sut.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['tiny/embed', 'tiny/chat', 'tiny/rerank', 'tiny/embed-wide']));
    const one = await sut.models.retrieve('tiny/embed');
    expect(one).toMatchObject({ id: 'tiny/embed', object: 'model', owned_by: 'tiny' });
  });

  it("reports errors in OpenAI's shape, which the client turns into its error classes", async () => {
    const missing = await sut.embeddings.create({ model: 'nobody/nothing', input: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).type).toBe('invalid_request_error');

    const wrongTask = await sut.embeddings.create({ model: 'tiny/chat', input: 'x' }).catch((e: unknown) => e);
    expect(wrongTask).toBeInstanceOf(OpenAI.BadRequestError);
    expect((wrongTask as Error).message).toContain('generation model');

    const dims = await sut.embeddings.create({ model: 'tiny/embed', input: 'x', dimensions: 64 }).catch((e: unknown) => e);
    expect(dims).toBeInstanceOf(OpenAI.BadRequestError);
    expect((dims as Error).message).toContain('128');

    const empty = (await sut.embeddings.create({ model: 'tiny/embed', input: [] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    expect(empty.param).toBe('input');
  });
});
