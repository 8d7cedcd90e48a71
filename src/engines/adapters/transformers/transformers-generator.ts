import { Injectable } from '@nestjs/common';
import type { ChatMessage, GenerateOptions, GenerateResult } from '../../chat';
import { Generator } from '../../generator';
import type { ModelRef, ModelStatus } from '../../model-status';
import { LocalModelPool } from './local-model-pool';
import { LocalTokenizers } from './local-tokenizers';

/** Generation models run in-process by transformers.js, one worker thread each. */
@Injectable()
export class TransformersGenerator extends Generator {
  constructor(
    private readonly pool: LocalModelPool,
    private readonly tokenizers: LocalTokenizers,
  ) {
    super();
  }

  ensure(model: ModelRef): Promise<ModelStatus> {
    return this.pool.ensure('generation', model.id, model.dtype);
  }

  status(model: ModelRef): ModelStatus {
    return this.pool.statusOf('generation', model.id, model.dtype);
  }

  statuses(): ModelStatus[] {
    return this.pool.status().filter((s) => s.task === 'generation');
  }

  unload(model: ModelRef): Promise<ModelStatus | undefined> {
    return this.pool.unload('generation', model.id, model.dtype);
  }

  generate(
    model: ModelRef,
    messages: ChatMessage[],
    options: GenerateOptions,
  ): Promise<GenerateResult> {
    return this.pool.generate(model.id, model.dtype, messages, options);
  }

  textTokenCounter(modelId: string): Promise<((text: string) => number) | undefined> {
    return this.tokenizers.textTokenCounter(modelId);
  }
}
