/**
 * The remote adapters against a real second ragd: the whole app on the tiny models, listening on
 * loopback, reached over HTTP (its /v1/embeddings, /v1/chat/completions and /v1/rerank). Tokens
 * are counted with the tiny models' tokenizers (MODELS_DIR) for the embedding and generation
 * models and estimated for the reranker, so both ways are run.
 */
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { RemoteEmbeddingEngine } from '../../src/engines/adapters/remote/remote-embedding-engine';
import { RemoteGenerator } from '../../src/engines/adapters/remote/remote-generator';
import { RemoteReranker } from '../../src/engines/adapters/remote/remote-reranker';
import { LocalTokenizers } from '../../src/engines/adapters/transformers/local-tokenizers';
import { loadSettings, type Settings } from '../../src/config/settings';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';
import { embeddingEngineContract, generatorContract, rerankerContract } from './engine-contracts';

let backend: INestApplication;
let url: string;

// One backend ragd for every suite of this file.
beforeAll(async () => {
  tinyModelsPresent();
  backend = await createTestApp({
    ...TINY_ENV,
    STORAGE_DIR: tempDir(),
    EMBED_QUERY_WORKER: 'false',
  });
  await backend.listen(0, '127.0.0.1');
  const { port } = (backend.getHttpServer() as { address(): AddressInfo }).address();
  url = `http://127.0.0.1:${port}/v1`;
});

afterAll(() => backend?.close());

/** The front's settings: the three tiny models declared remote on the backend. */
function frontSettings(): Settings {
  // loadSettings reads these from the environment of the test itself, not the backend's.
  return loadSettings({
    ...TINY_ENV,
    STORAGE_DIR: tempDir(),
    EMBEDDING_ENDPOINT: url,
    GENERATION_ENDPOINT: url,
    RERANK_ENDPOINT: url,
    REMOTE_PROBE_MAX_MS: '500',
  });
}

describe('RemoteEmbeddingEngine on a second ragd (EmbeddingEngine contract)', () => {
  embeddingEngineContract(() => {
    const settings = frontSettings();
    const sut = new RemoteEmbeddingEngine(settings.models, new LocalTokenizers(settings), 500);
    return Promise.resolve({
      sut,
      model: { id: 'tiny/embed', dtype: 'fp32' },
      close: () => Promise.resolve(sut.remoteModels.close()),
    });
  });
});

describe('RemoteGenerator on a second ragd (Generator contract)', () => {
  generatorContract(() => {
    const settings = frontSettings();
    const sut = new RemoteGenerator(settings.models, new LocalTokenizers(settings), {
      timeoutMs: 60_000,
      contextTokens: 2048,
      probeMaxMs: 500,
    });
    return Promise.resolve({
      sut,
      model: { id: 'tiny/chat', dtype: 'fp32' },
      close: () => Promise.resolve(sut.remoteModels.close()),
    });
  });
});

describe('RemoteReranker on a second ragd (Reranker contract)', () => {
  rerankerContract(() => {
    const settings = frontSettings();
    // No tokenizer for the reranker: an empty MODELS_DIR, so its tokens are estimated.
    const tokenizers = new LocalTokenizers({ ...settings, modelsDir: tempDir() });
    const sut = new RemoteReranker(settings.models, tokenizers, 500);
    return Promise.resolve({
      sut,
      model: { id: 'tiny/rerank', dtype: 'fp32' },
      close: () => Promise.resolve(sut.remoteModels.close()),
    });
  });
});
