/**
 * What switching a collection to a new embedding model costs at 100k chunks: the switch transaction
 * (the only moment the server does not answer) and the background deletion of the old vectors,
 * batch by batch. Real SQLite through the server's repositories; vectors of 384 dimensions.
 *
 * Usage: npm run bench:reembed [-- --chunks N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSettings } from '../src/config/settings';
import { CollectionsRepository } from '../src/database/collections.repository';
import { DatabaseService } from '../src/database/database.service';
import { ChunkVectorsRepository } from '../src/database/chunk-vectors.repository';
import { DocumentsRepository } from '../src/database/documents.repository';
import { ReembedRepository } from '../src/database/reembed.repository';

const arg = process.argv.indexOf('--chunks');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
const DIM = 384;
const PURGE_BATCH = 2000; // as ReembedService

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ragd-reembed-bench-'));
  const db = new DatabaseService(loadSettings({ STORAGE_DIR: dir, LOG_LEVEL: 'warn' }));
  const collections = new CollectionsRepository(db);
  const documents = new DocumentsRepository(db);
  const chunkVectors = new ChunkVectorsRepository(db);
  const reembeds = new ReembedRepository(db);
  try {
    const id = collections.insert({
      name: 'bench',
      embeddingModel: 'old',
      embeddingDtype: 'fp32',
      chunkSize: 64,
      chunkOverlap: 0,
      metadata: '{}',
    }).id;
    const v = new Float32Array(DIM).fill(0.05);
    for (let d = 0; d < N / 100; d++) {
      db.transaction(() => {
        const chunks = Array.from({ length: 100 }, (_, i) => ({
          ordinal: i,
          text: `chunk ${d}.${i}`,
          start: 0,
          end: 1,
          tokenCount: 3,
          tokenCounter: 't',
        }));
        const { chunkIds } = documents.insert(
          {
            collectionId: id,
            id: `d${d}`,
            title: null,
            source: null,
            contentType: 'text/plain',
            contentHash: 'h',
            metadata: '{}',
            text: 'x',
          },
          chunks,
        );
        chunkVectors.storeVectors(
          'old',
          DIM,
          chunkIds.map((chunkId) => ({ chunkId, vector: v })),
        );
      });
    }
    const job = db.transaction(() => reembeds.insert(id, 'new', 'fp32'));
    const todo = reembeds.unwritten(job);
    for (let i = 0; i < todo.length; i += 1000) {
      db.transaction(() =>
        reembeds.write(
          job,
          DIM,
          todo.slice(i, i + 1000).map((c) => ({ chunkId: c.id, vector: v })),
        ),
      );
    }
    let t = performance.now();
    const left = reembeds.unwritten(job).length;
    const passMs = performance.now() - t;
    t = performance.now();
    const written = db.transaction(() => reembeds.switchOver(job, DIM));
    const switchMs = performance.now() - t;
    const batches: number[] = [];
    let purged = 0;
    for (;;) {
      t = performance.now();
      const n = db.transaction(() => reembeds.purgeStale(id, PURGE_BATCH));
      batches.push(performance.now() - t);
      purged += n;
      if (n < PURGE_BATCH) break;
    }
    const sorted = [...batches].sort((a, b) => a - b);
    const r = (ms: number) => Math.round(ms);
    console.log(
      `| chunks | last pass over unwritten chunks | switch transaction | old vectors deleted | delete batch p50 / max |`,
    );
    console.log(`|---|---|---|---|---|`);
    console.log(
      `| ${N.toLocaleString('en')} (${left} left) | ${r(passMs)} ms | ${r(switchMs)} ms (${written?.length ?? 0} vectors in service) | ${purged.toLocaleString('en')} in ${batches.length} batches | ${r(sorted[Math.floor(sorted.length / 2)]!)} / ${r(sorted.at(-1)!)} ms |`,
    );
    console.log(
      `\nload average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, ${os.cpus().length} cores, Node ${process.version}`,
    );
  } finally {
    db.onApplicationShutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
