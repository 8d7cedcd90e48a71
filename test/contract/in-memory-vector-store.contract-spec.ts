import { InMemoryVectorStore } from '../../src/vector-store/adapters/in-memory/in-memory-vector-store';
import { SqliteSource } from './sqlite-source';
import { vectorStoreContract } from './vector-store.contract';

vectorStoreContract('InMemoryVectorStore', () => {
  const source = new SqliteSource();
  // No source given: the store knows only what it is told, as in a service's unit test.
  return Promise.resolve({
    source,
    store: new InMemoryVectorStore(),
    another: () => Promise.resolve(new InMemoryVectorStore()),
    close: () => {
      source.close();
      return Promise.resolve();
    },
  });
});
