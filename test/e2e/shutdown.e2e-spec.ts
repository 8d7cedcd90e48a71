import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServerProcess, killAllServers } from '../support/server-process';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');

/** 24 documents of several sentences: seconds of work for tiny/embed-heavy in batches of 4. */
const DOCS = Array.from({ length: 24 }, (_, i) => ({
  id: `d${i}`,
  text: Array.from(
    { length: 6 },
    (_, s) =>
      `Note ${i} sentence ${s} about the garden, the river and the train station in winter.`,
  ).join(' '),
}));

describe('graceful shutdown of the built server on SIGTERM (e2e, process)', () => {
  const storage = tempDir();
  const logs = tempDir('ragd-logs-');
  // A slow embedding model, so a request is still in flight when the signal comes.
  const env = {
    ...TINY_ENV,
    EMBEDDING_MODEL: 'tiny/embed-heavy',
    EMBED_BATCH_SIZE: '4',
    STORAGE_DIR: storage,
    LOG_LEVEL: 'log',
    SHUTDOWN_GRACE_MS: '120000',
  };

  beforeAll(() => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(ROOT, 'dist/main.js')))
      throw new Error('dist/main.js is missing: run `npm run build` first');
  });

  afterAll(() => killAllServers());

  it('refuses new connections, finishes the request in flight, snapshots the index and exits 0', async () => {
    const sut = await ServerProcess.start(ROOT, env, path.join(logs, 'first.log'));
    await sut.waitForHealth(30_000);
    expect((await sut.post('/v1/collections', { name: 'notes' })).status).toBe(201);

    const inFlight = fetch(`${sut.baseUrl}/v1/collections/notes/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents: DOCS }),
    });
    // Signal once the request is surely in flight: its documents are stored and their chunks wait for the model.
    for (let i = 0; i < 600; i++) {
      const c = (
        await sut.get<{ counts: { documents: number; pending: number } }>('/v1/collections/notes')
      ).body;
      if (c.counts.documents === DOCS.length && c.counts.pending > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const stopped = sut.stop();
    await sut.waitForLog(/SIGTERM received/, 5_000);
    await expect(fetch(`${sut.baseUrl}/health`)).rejects.toThrow(); // no longer accepting

    const res = await inFlight;
    expect(res.status).toBe(201);
    const body = (await res.json()) as { documents: unknown[]; embedding: { state: string } };
    expect(body.documents).toHaveLength(DOCS.length);
    expect(body.embedding.state).toBe('done');
    expect((await stopped).code).toBe(0);
    expect(sut.log).toMatch(/Shut down cleanly/);

    const again = await ServerProcess.start(ROOT, env, path.join(logs, 'second.log'));
    await again.waitForHealth(30_000);
    const c = (
      await again.get<{ counts: Record<string, number>; index: { state: string } }>(
        '/v1/collections/notes',
      )
    ).body;
    expect(c.counts.documents).toBe(DOCS.length);
    expect(c.counts.pending).toBe(0);
    expect(c.counts.vectors).toBe(c.counts.chunks);
    expect(c.counts.indexed).toBe(c.counts.chunks);
    expect(c.index.state).toBe('ready');
    expect(again.log).toMatch(
      /Index of collection \d+: \d+ vectors, snapshot \(watermark \d+\) \+ 0 replayed/,
    ); // no rebuild, no replay
    expect((await again.stop()).code).toBe(0);
  });
});
