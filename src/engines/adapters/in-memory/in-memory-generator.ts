import type { ChatMessage, GenerateOptions, GenerateResult } from '../../chat';
import { Generator } from '../../generator';
import type { ModelRef } from '../../model-status';
import { InMemoryModels, words } from './in-memory-models';

/**
 * A real generator with no model: it answers with the words of the last user message, one token a
 * word, streamed through onToken, stopped by the signal or at maxTokens. Deterministic, for fast
 * unit tests of the answering and chat services and the contract suite.
 */
export class InMemoryGenerator extends Generator {
  protected readonly models: InMemoryModels;

  constructor(modelIds: readonly string[], contextTokens = 2048) {
    super();
    this.models = new InMemoryModels('generation', new Set(modelIds), {
      maxTokens: contextTokens,
    });
  }

  async generate(
    model: ModelRef,
    messages: ChatMessage[],
    options: GenerateOptions,
  ): Promise<GenerateResult> {
    await this.models.ready(model);
    const promptTokens = messages.reduce((n, m) => n + words(m.content).length + 4, 0);
    const last = [...messages].reverse().find((m) => m.role === 'user');
    const reply = words(last?.content ?? '');
    const pieces: string[] = [];
    for (const w of reply) {
      if (options.signal?.aborted) {
        return {
          text: pieces.join(''),
          promptTokens,
          completionTokens: pieces.length,
          finishReason: 'cancelled',
        };
      }
      if (pieces.length >= options.maxTokens) break;
      const piece = pieces.length === 0 ? w : ` ${w}`;
      pieces.push(piece);
      options.onToken?.(piece);
      await Promise.resolve(); // lets an abort between tokens take effect, as a stream would
    }
    const finishReason = pieces.length < reply.length ? 'length' : 'stop';
    return { text: pieces.join(''), promptTokens, completionTokens: pieces.length, finishReason };
  }

  textTokenCounter(modelId: string): Promise<((text: string) => number) | undefined> {
    if (this.models.status({ id: modelId, dtype: 'fp32' }).state === 'unavailable')
      return Promise.resolve(undefined);
    return Promise.resolve((text: string) => words(text).length);
  }
}
