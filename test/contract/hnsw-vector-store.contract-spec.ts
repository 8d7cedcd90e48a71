import { Logger } from '@nestjs/common';
import { StorageMonitor } from '../../src/storage/storage-monitor.service';
import { HnswVectorStore } from '../../src/vector-store/adapters/hnsw/hnsw-vector-store';
import { DirectorySink } from './directory-sink';
import { SqliteSource, tempDir } from './sqlite-source';
import { vectorStoreContract } from './vector-store.contract';

vectorStoreContract('HnswVectorStore', async () => {
  const source = new SqliteSource();
  const make = (storageDir: string) => {
    const settings = { ...source.settings, storageDir };
    return new HnswVectorStore(
      settings,
      source.collections,
      source.documents,
      source.vectors,
      new StorageMonitor(settings),
    );
  };
  const store = make(source.settings.storageDir);
  store.onApplicationBootstrap();
  const others: HnswVectorStore[] = [];
  return Promise.resolve({
    source,
    store,
    another: () => {
      const other = make(tempDir());
      others.push(other);
      return Promise.resolve(other);
    },
    close: async () => {
      for (const s of [store, ...others]) await s.onApplicationShutdown();
      source.close();
    },
  });
});

describe('HnswVectorStore import', () => {
  it('loads the exported snapshots instead of rebuilding from SQLite', async () => {
    const source = new SqliteSource();
    const settings = (storageDir: string) => ({ ...source.settings, storageDir });
    const sut = new HnswVectorStore(
      source.settings,
      source.collections,
      source.documents,
      source.vectors,
      new StorageMonitor(source.settings),
    );
    const c = source.collection(2);
    sut.add(c, source.store(c, [{ vector: Float32Array.from([1, 0]) }]));
    await sut.flush();
    const dir = tempDir();
    await sut.export(new DirectorySink(dir));
    const log = jest.spyOn(Logger.prototype, 'log');
    const restored = new HnswVectorStore(
      settings(tempDir()),
      source.collections,
      source.documents,
      source.vectors,
      new StorageMonitor(source.settings),
    );
    await restored.import(dir);
    expect(log.mock.calls.map((call) => String(call[0]))).toContainEqual(
      expect.stringMatching(
        /^Index of collection \d+: 1 vectors, snapshot \(watermark \d+\) \+ 0 replayed/,
      ),
    );
    log.mockRestore();
    await sut.onApplicationShutdown();
    await restored.onApplicationShutdown();
    source.close();
  });
});
