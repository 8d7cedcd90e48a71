import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidSettingsError, loadSettings } from './settings';

function file(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ragd-models-file-'));
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('declared models (*_ENDPOINT settings and MODELS_FILE)', () => {
  it('declares nothing without an endpoint or a models file: every model stays in-process', () => {
    expect(loadSettings({}).models).toEqual([]);
  });

  it('makes the task model remote with EMBEDDING_ENDPOINT, one replica per comma-separated URL', () => {
    const sut = loadSettings({
      EMBEDDING_MODEL: 'BAAI/bge-m3',
      EMBEDDING_ENDPOINT: 'http://gpu-a:8000/v1/, http://gpu-b:8000/v1',
      EMBEDDING_API_KEY: 'secret',
      EMBEDDING_MAX_INPUT_TOKENS: '8192',
    }).models;
    expect(sut).toEqual([
      {
        id: 'BAAI/bge-m3',
        task: 'embedding',
        dtype: 'q8',
        remote: expect.objectContaining({
          endpoints: ['http://gpu-a:8000/v1', 'http://gpu-b:8000/v1'],
          model: 'BAAI/bge-m3',
          apiKey: 'secret',
          maxInputTokens: 8192,
          timeoutMs: 30_000,
          batchSize: 32,
          tokenizer: 'BAAI/bge-m3',
        }),
      },
    ]);
  });

  it('reads a YAML models file: remote models with their options, local ones without endpoints', () => {
    const p = file(
      'models.yaml',
      [
        'models:',
        '  - id: reranker',
        '    task: reranking',
        '    endpoint: http://tei:8080',
        '    api: tei',
        '    model: BAAI/bge-reranker-base',
        '    apiKeyEnv: TEI_KEY',
        '  - id: tiny/embed',
        '    task: embedding',
        '    dtype: fp32',
      ].join('\n'),
    );
    const sut = loadSettings({ MODELS_FILE: p, TEI_KEY: 'k' }).models;
    expect(sut[0]).toMatchObject({
      id: 'reranker',
      task: 'reranking',
      remote: {
        endpoints: ['http://tei:8080'],
        rerankApi: 'tei',
        model: 'BAAI/bge-reranker-base',
        apiKey: 'k',
      },
    });
    expect(sut[1]).toEqual({ id: 'tiny/embed', task: 'embedding', dtype: 'fp32' });
  });

  it('reads a JSON models file (a bare array too)', () => {
    const p = file(
      'models.json',
      JSON.stringify([{ id: 'chat', task: 'generation', endpoints: ['http://x/v1'] }]),
    );
    expect(loadSettings({ MODELS_FILE: p }).models[0]!.remote!.endpoints).toEqual(['http://x/v1']);
  });

  it('fails at start-up naming the variable and the problem', () => {
    expect(() => loadSettings({ EMBEDDING_ENDPOINT: 'gpu-box:8000' })).toThrow(
      /EMBEDDING_ENDPOINT="gpu-box:8000": 'gpu-box:8000' is not an http\(s\) URL|is not a URL/,
    );
    const bad = file('bad.yaml', 'models:\n  - id: x\n    task: cooking\n');
    expect(() => loadSettings({ MODELS_FILE: bad })).toThrow(/MODELS_FILE=.*models\.0\.task/);
    const unknown = file(
      'u.json',
      JSON.stringify({ models: [{ id: 'x', task: 'embedding', colour: 'red' }] }),
    );
    expect(() => loadSettings({ MODELS_FILE: unknown })).toThrow(InvalidSettingsError);
    const twice = file(
      't.json',
      JSON.stringify([{ id: 'm', task: 'embedding', endpoint: 'http://a' }]),
    );
    expect(() =>
      loadSettings({ MODELS_FILE: twice, EMBEDDING_MODEL: 'm', EMBEDDING_ENDPOINT: 'http://b' }),
    ).toThrow(/embedding model 'm' is declared twice/);
    expect(() => loadSettings({ MODELS_FILE: '/nonexistent/models.yaml' })).toThrow(/cannot read/);
  });
});
