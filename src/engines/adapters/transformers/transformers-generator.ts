import { Injectable } from '@nestjs/common';
import type { ChatMessage, GenerateOptions, GenerateResult } from '../../chat';
import { Generator } from '../../generator';
import { neutraliseSpecialTokens } from '../../special-tokens';
import type { ModelStates } from '../../inference-engine';
import type { ModelRef } from '../../model-status';
import { LocalModelPool } from './local-model-pool';
import { LocalTokenizers } from './local-tokenizers';

/** Generation models run in-process by transformers.js, one worker thread each. */
@Injectable()
export class TransformersGenerator extends Generator {
  protected readonly models: ModelStates;

  constructor(
    private readonly pool: LocalModelPool,
    private readonly tokenizers: LocalTokenizers,
  ) {
    super();
    this.models = pool.forTask('generation');
  }

  /** Special tokens written in any message (a document, a question) are made inert first. */
  async generate(
    model: ModelRef,
    messages: ChatMessage[],
    options: GenerateOptions,
  ): Promise<GenerateResult> {
    const special = await this.tokenizers.specialTokens(model.id);
    const safe = messages.map((m) => ({
      ...m,
      content: neutraliseSpecialTokens(m.content, special),
    }));
    return this.pool.generate(model.id, model.dtype, safe, options);
  }

  textTokenCounter(modelId: string): Promise<((text: string) => number) | undefined> {
    return this.tokenizers.textTokenCounter(modelId);
  }
}
