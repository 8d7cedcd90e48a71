import { InMemoryEmbeddingEngine } from '../../src/engines/adapters/in-memory/in-memory-embedding-engine';
import { InMemoryGenerator } from '../../src/engines/adapters/in-memory/in-memory-generator';
import { InMemoryReranker } from '../../src/engines/adapters/in-memory/in-memory-reranker';
import { embeddingEngineContract, generatorContract, rerankerContract } from './engine-contracts';

describe('InMemoryEmbeddingEngine (EmbeddingEngine contract)', () => {
  embeddingEngineContract(() =>
    Promise.resolve({
      sut: new InMemoryEmbeddingEngine(['mem/embed']),
      model: { id: 'mem/embed', dtype: 'fp32' },
    }),
  );
});

describe('InMemoryGenerator (Generator contract)', () => {
  generatorContract(() =>
    Promise.resolve({
      sut: new InMemoryGenerator(['mem/chat']),
      model: { id: 'mem/chat', dtype: 'fp32' },
    }),
  );
});

describe('InMemoryReranker (Reranker contract)', () => {
  rerankerContract(() =>
    Promise.resolve({
      sut: new InMemoryReranker(['mem/rerank']),
      model: { id: 'mem/rerank', dtype: 'fp32' },
    }),
  );
});
