import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dtype } from '../../../../config/settings';
import { neededFiles } from './model-files';

const TINY = path.resolve(__dirname, '../../../../../test/fixtures/models/tiny');

/** Configs of the shapes ragd loads: the tiny models' (when generated) and a large generator's. */
function configs(): [string, Record<string, unknown>][] {
  const tiny = ['embed', 'rerank', 'chat']
    .map((m) => path.join(TINY, m, 'config.json'))
    .filter((f) => fs.existsSync(f))
    .map((f): [string, Record<string, unknown>] => [
      f,
      JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>,
    ]);
  return [
    ...tiny,
    ['bert', { architectures: ['BertModel'], model_type: 'bert' }],
    [
      'qwen2 with external data',
      {
        architectures: ['Qwen2ForCausalLM'],
        model_type: 'qwen2',
        'transformers.js_config': {
          use_external_data_format: { 'model.onnx': true, model_fp16: 2 },
        },
      },
    ],
  ];
}

describe('neededFiles', () => {
  it('names the weights, external data and configs transformers.js itself would read', async () => {
    const { ModelRegistry } = await import('@huggingface/transformers');
    for (const [name, config] of configs()) {
      for (const dtype of ['fp32', 'fp16', 'q8', 'q4'] as Dtype[]) {
        const sut = neededFiles(config, dtype);
        const theirs = await ModelRegistry.get_model_files(name, {
          config: config as never,
          dtype,
          device: 'cpu',
        });
        const ours = sut.filter((f) => theirs.includes(f.path) || f.weights).map((f) => f.path);
        expect([name, dtype, ours.sort()]).toEqual([name, dtype, [...theirs].sort()]);
      }
    }
  });

  it('marks weights and the files a model cannot load without as required', () => {
    const sut = neededFiles({ model_type: 'bert' }, 'q8');
    expect(sut).toEqual([
      { path: 'config.json', required: true, weights: false },
      { path: 'tokenizer.json', required: true, weights: false },
      { path: 'tokenizer_config.json', required: true, weights: false },
      { path: 'generation_config.json', required: false, weights: false },
      { path: 'onnx/model_quantized.onnx', required: true, weights: true },
    ]);
  });
});
