/** Messages between the main thread and an inference worker (structured-clone safe). */
import type { Dtype } from '../config/settings';

export type ModelTask = 'embedding' | 'generation';

export interface LoadRequest {
  op: 'load';
  task: ModelTask;
  model: string;
  dtype: Dtype;
  device: string;
  modelsDir: string;
  allowRemote: boolean;
  connectTimeoutMs: number;
}

export interface EmbedRequest {
  op: 'embed';
  texts: string[];
  pooling: 'mean' | 'cls';
  normalize: boolean;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  op: 'generate';
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  /** Int32Array over a SharedArrayBuffer: the main thread sets [0] = 1 to stop generation. */
  cancel: SharedArrayBuffer;
}

export type WorkerRequest = LoadRequest | EmbedRequest | GenerateRequest;

export interface LoadedInfo {
  /** Maximum tokens per input the model accepts (embedding) or its context window (generation). */
  maxTokens: number;
  dim?: number;
  loadMs: number;
}

export interface EmbedResult {
  /** Row-major [texts.length x dim], transferred, not copied. */
  vectors: Float32Array;
  dim: number;
}

export interface GenerateResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'cancelled';
}

export type WorkerReply =
  | { id: number; kind: 'ok'; result: LoadedInfo | EmbedResult | GenerateResult }
  | { id: number; kind: 'error'; message: string }
  | { id: number; kind: 'token'; text: string };
