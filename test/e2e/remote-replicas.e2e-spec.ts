/**
 * Two backend ragds as replicas of the front's engines; one is killed while a batch is ingested:
 * no request fails, and every chunk ends with exactly one vector.
 */
import type { ServerProcess } from '../support/server-process';
import { killAllServers } from '../support/server-process';
import { builtServerPresent, startBackend, startFront } from '../support/remote-servers';

interface Replica {
  url: string;
  state: string;
  requests: number;
  lastError?: string;
}
interface Health {
  models: { id: string; task: string; remote?: { replicas: Replica[] } }[];
}

const TOPICS = ['garden', 'train', 'kitchen', 'river', 'mountain', 'doctor', 'school', 'music'];
const docs = (round: number) =>
  TOPICS.map((t, i) => ({
    id: `${t}-${round}`,
    text: `A note about the ${t}, number ${round}. ${'The ' + t + ' is near the house. '.repeat(1 + (i % 3))}`,
  }));

describe('two replicas, one killed while a batch is ingested (e2e, processes)', () => {
  let first: ServerProcess;
  let second: ServerProcess;
  let front: ServerProcess;

  beforeAll(async () => {
    builtServerPresent();
    [first, second] = await Promise.all([startBackend('replica-1'), startBackend('replica-2')]);
    front = await startFront([first.baseUrl, second.baseUrl]);
  });

  afterAll(() => killAllServers());

  const embeddingReplicas = async () =>
    (await front.get<Health>('/health')).body.models.find((m) => m.task === 'embedding')!.remote!
      .replicas;

  it('loses no chunk, embeds none twice, and fails no request', async () => {
    expect((await front.post('/v1/collections', { name: 'r' })).status).toBe(201);
    const statuses: number[] = [];
    let killed: Promise<void> | undefined;
    for (let round = 0; round < 8; round++) {
      const add = front.post<{ embedding: { state: string } }>('/v1/collections/r/documents', {
        documents: docs(round),
      });
      const search = front.post<{ mode: string }>('/v1/collections/r/search', { query: 'garden' });
      // The first replica dies while the fourth batch is being embedded.
      if (round === 3) killed = first.kill();
      const [a, s] = await Promise.all([add, search]);
      statuses.push(a.status, s.status);
      expect(a.body.embedding.state).toBe('done');
      if (round === 1) {
        // Both replicas took work before the kill (fewest in flight, ties in turn).
        const replicas = await embeddingReplicas();
        expect(replicas.every((r) => r.requests > 0)).toBe(true);
      }
    }
    await killed;
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
    const c = await front.get<{
      counts: { chunks: number; vectors: number; pending: number; indexed: number };
    }>('/v1/collections/r');
    expect(c.body.counts.chunks).toBeGreaterThanOrEqual(TOPICS.length * 8);
    expect(c.body.counts).toEqual({
      documents: TOPICS.length * 8,
      chunks: c.body.counts.chunks,
      vectors: c.body.counts.chunks,
      pending: 0,
      indexed: c.body.counts.chunks,
    });
    const replicas = await embeddingReplicas();
    expect(replicas.map((r) => r.state)).toEqual(['down', 'up']);
    expect(replicas[0]!.lastError).toMatch(/ECONNREFUSED|ECONNRESET|terminated|other side closed/);
    const search = await front.post<{ mode: string; modeReason?: string }>(
      '/v1/collections/r/search',
      {
        query: 'garden near the house',
      },
    );
    expect(search.status).toBe(200);
    expect(search.body.mode).toBe('hybrid');
    expect(search.body.modeReason).toBeUndefined();
  });
});
