import type { Dtype } from '../../../config/settings';

/**
 * transformers.js names each precision's weights `<session><suffix>.onnx` (`model_quantized.onnx`
 * for q8), with `<file>_data` beside it when the weights are stored externally.
 */
export const DTYPE_SUFFIXES: readonly [Dtype, string][] = [
  ['fp16', '_fp16'],
  ['q8', '_quantized'],
  ['int8', '_int8'],
  ['uint8', '_uint8'],
  ['q4f16', '_q4f16'],
  ['q4', '_q4'],
  ['bnb4', '_bnb4'],
  ['fp32', ''],
];

/** The precision of an `onnx/` weights file name (`model_q4.onnx`: q4), if it is one. */
export function dtypeOfWeights(fileName: string): Dtype | undefined {
  const m = /^(model|decoder_model_merged)(.*)\.onnx$/.exec(fileName);
  if (!m) return undefined;
  return DTYPE_SUFFIXES.find(([, suffix]) => suffix === m[2])?.[0];
}
