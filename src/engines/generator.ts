import type { ChatMessage, GenerateOptions, GenerateResult } from './chat';
import { InferenceEngine } from './inference-engine';
import type { ModelRef } from './model-status';

/**
 * The generation port: chat messages in, tokens streamed out (onToken), abort by signal, usage at
 * the end; its context size is the status's maxTokens. Throws ModelUnavailableError,
 * ServerBusyError (queue full) and GenerationTimeoutError.
 */
export abstract class Generator extends InferenceEngine {
  abstract generate(
    model: ModelRef,
    messages: ChatMessage[],
    options: GenerateOptions,
  ): Promise<GenerateResult>;
  /** Counts tokens of plain text (no special tokens); undefined without the tokenizer. */
  abstract textTokenCounter(modelId: string): Promise<((text: string) => number) | undefined>;
}
