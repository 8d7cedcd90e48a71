import * as path from 'node:path';
import { InvalidSettingsError, SETTING_NAMES, loadSettings } from './settings';

describe('loadSettings', () => {
  it('applies documented defaults to an empty environment', () => {
    const sut = loadSettings({});
    expect(sut.port).toBe(3000);
    expect(sut.storageDir).toBe(path.resolve('./storage'));
    expect(sut.allowRemoteModels).toBe(true);
    expect(sut.embedding).toEqual({
      model: 'Xenova/bge-small-en-v1.5',
      dtype: 'q8',
      multilingualModel: 'Xenova/multilingual-e5-small',
      batchSize: 32,
      batchTokens: 1024,
      batchWaitMs: 2,
      queueLimit: 256,
      threads: 0,
      queryWorker: true,
    });
    expect(sut.jobs).toEqual({
      maxFileBytes: 512 * 1024 * 1024,
      maxRequestBytes: 4 * 1024 ** 3,
      maxFiles: 10_000,
      queueLimit: 32,
    });
    expect(sut.limits).toMatchObject({ maxPagesPerDocument: 5000, maxChunksPerDocument: 250_000 });
    expect(sut.generation).toMatchObject({ queueLimit: 4, timeoutMs: 300_000 });
    expect(sut.generation.model).toBe('onnx-community/Qwen2.5-0.5B-Instruct');
    expect(sut.generation.dtype).toBe('q4');
    expect(sut.rerank).toEqual({
      model: 'Xenova/ms-marco-MiniLM-L-6-v2',
      dtype: 'q8',
      candidates: 50,
    });
    expect(sut.hnsw.efSearch).toBeGreaterThanOrEqual(100);
  });

  it('parses booleans and numbers from strings', () => {
    const sut = loadSettings({ PORT: '8080', ALLOW_REMOTE_MODELS: 'false', HNSW_M: '32' });
    expect(sut.port).toBe(8080);
    expect(sut.allowRemoteModels).toBe(false);
    expect(sut.hnsw.m).toBe(32);
  });

  it('names every invalid variable in one error', () => {
    const run = () =>
      loadSettings({ PORT: 'abc', EMBEDDING_DTYPE: 'fp64', ALLOW_REMOTE_MODELS: 'maybe' });
    expect(run).toThrow(InvalidSettingsError);
    expect(run).toThrow(/PORT="abc"/);
    expect(run).toThrow(/EMBEDDING_DTYPE="fp64"/);
    expect(run).toThrow(/ALLOW_REMOTE_MODELS="maybe"/);
  });

  it('names the variable of a bad nested setting, and only it', () => {
    const run = () => loadSettings({ JOB_QUEUE_LIMIT: '0', EMBEDDING_MODEL: 'tiny/embed' });
    expect(run).toThrow(
      new InvalidSettingsError(
        'Invalid configuration:\n  JOB_QUEUE_LIMIT="0": Too small: expected number to be >=1',
      ),
    );
  });

  it('reads every declared variable and ignores the rest of the environment', () => {
    expect(SETTING_NAMES).toContain('URL_FETCH_ALLOW');
    expect(SETTING_NAMES).not.toContain('PATH');
    const sut = loadSettings({ URL_FETCH_ALLOW: ' intranet.example, ,10.0.0.0/8', PATH: '/bin' });
    expect(sut.urlFetch.allow).toEqual(['intranet.example', '10.0.0.0/8']);
    expect(sut.storageMinFreeBytes).toBe(64 * 1024 * 1024);
    expect(loadSettings({ STORAGE_MIN_FREE_MB: '1' }).storageMinFreeBytes).toBe(1024 * 1024);
  });

  it('reads the reranker settings and bounds the candidate count', () => {
    const sut = loadSettings({
      RERANK_MODEL: 'tiny/rerank',
      RERANK_DTYPE: 'fp32',
      RERANK_CANDIDATES: '200',
    });
    expect(sut.rerank).toEqual({ model: 'tiny/rerank', dtype: 'fp32', candidates: 200 });
    expect(() => loadSettings({ RERANK_CANDIDATES: '0' })).toThrow(/RERANK_CANDIDATES="0"/);
    expect(() => loadSettings({ RERANK_CANDIDATES: '1001' })).toThrow(/RERANK_CANDIDATES="1001"/);
    expect(() => loadSettings({ RERANK_DTYPE: 'fp64' })).toThrow(/RERANK_DTYPE="fp64"/);
  });

  it('reads how long idempotency keys are kept, in hours, fractions allowed', () => {
    expect(loadSettings({}).idempotency.ttlMs).toBe(24 * 3_600_000);
    expect(loadSettings({ IDEMPOTENCY_TTL_HOURS: '0.25' }).idempotency.ttlMs).toBe(900_000);
    expect(() => loadSettings({ IDEMPOTENCY_TTL_HOURS: '0' })).toThrow(/IDEMPOTENCY_TTL_HOURS="0"/);
    expect(() => loadSettings({ IDEMPOTENCY_TTL_HOURS: 'a day' })).toThrow(
      /IDEMPOTENCY_TTL_HOURS="a day"/,
    );
  });

  it('refuses an overlap that is not smaller than the chunk size', () => {
    expect(() => loadSettings({ DEFAULT_CHUNK_SIZE: '64', DEFAULT_CHUNK_OVERLAP: '64' })).toThrow(
      /DEFAULT_CHUNK_OVERLAP/,
    );
  });
});

describe('loadSettings: backups', () => {
  it('puts backups next to STORAGE_DIR by default, and only there', () => {
    const sut = loadSettings({ STORAGE_DIR: '/var/lib/ragd/storage' });
    expect(sut.backup).toEqual({
      dir: path.resolve('/var/lib/ragd/backups'),
      allowAnyPath: false,
      keep: 10,
    });
    expect(loadSettings({}).backup.dir).toBe(path.resolve('./backups'));
  });

  it('reads BACKUP_DIR, BACKUP_ALLOW_ANY_PATH and BACKUP_KEEP', () => {
    const sut = loadSettings({
      BACKUP_DIR: '/mnt/backups',
      BACKUP_ALLOW_ANY_PATH: 'true',
      BACKUP_KEEP: '0',
    });
    expect(sut.backup).toEqual({ dir: path.resolve('/mnt/backups'), allowAnyPath: true, keep: 0 });
    expect(() => loadSettings({ BACKUP_KEEP: '-1' })).toThrow(/BACKUP_KEEP/);
  });

  it('refuses a BACKUP_DIR inside STORAGE_DIR', () => {
    expect(() => loadSettings({ STORAGE_DIR: '/data', BACKUP_DIR: '/data/backups' })).toThrow(
      /BACKUP_DIR="\/data\/backups": must not be STORAGE_DIR or inside it/,
    );
    expect(() => loadSettings({ STORAGE_DIR: '/data', BACKUP_DIR: '/data' })).toThrow(/BACKUP_DIR/);
    expect(loadSettings({ STORAGE_DIR: '/data', BACKUP_DIR: '/data-backups' }).backup.dir).toBe(
      path.resolve('/data-backups'),
    );
  });
});

describe('trust boundary settings', () => {
  it('defaults to no environment key, loopback hosts, no CORS and a limit per key a minute', () => {
    expect(loadSettings({}).security).toEqual({
      allowedHosts: [],
      corsOrigins: [],
      rateLimitPerMinute: 1200,
      uploadsPerKey: 4,
      ingestBytesPerDay: 0,
      memoryUploads: 8,
    });
  });

  it('reads lists of hosts and origins', () => {
    const sut = loadSettings({
      ALLOWED_HOSTS: 'ragd.example, *.corp.example',
      CORS_ORIGINS: 'https://app.example,http://localhost:5173',
    }).security;
    expect(sut.allowedHosts).toEqual(['ragd.example', '*.corp.example']);
    expect(sut.corsOrigins).toEqual(['https://app.example', 'http://localhost:5173']);
  });

  it('refuses an origin with a path, and never prints RAGD_API_KEY', () => {
    expect(() => loadSettings({ CORS_ORIGINS: 'https://app.example/' })).toThrow(/CORS_ORIGINS/);
    let message = '';
    try {
      loadSettings({ RAGD_API_KEY: 'short-secret' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/RAGD_API_KEY=\(hidden\): must be at least 32 characters/);
    expect(message).not.toContain('short-secret');
  });
});
