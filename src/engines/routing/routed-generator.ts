import type { ChatMessage, GenerateOptions, GenerateResult } from '../chat';
import { Generator } from '../generator';
import type { ModelStates } from '../inference-engine';
import type { ModelRef } from '../model-status';
import { routedStates } from './routed-states';

/** The generation port when some models are remote: by model id, remote or in-process. */
export class RoutedGenerator extends Generator {
  protected readonly models: ModelStates;

  constructor(
    private readonly local: Generator,
    private readonly remote: Generator,
    private readonly remoteIds: ReadonlySet<string>,
  ) {
    super();
    this.models = routedStates((id) => this.route(id), [local, remote]);
  }

  generate(
    model: ModelRef,
    messages: ChatMessage[],
    options: GenerateOptions,
  ): Promise<GenerateResult> {
    return this.route(model.id).generate(model, messages, options);
  }

  textTokenCounter(modelId: string): Promise<((text: string) => number) | undefined> {
    return this.route(modelId).textTokenCounter(modelId);
  }

  private route(id: string): Generator {
    return this.remoteIds.has(id) ? this.remote : this.local;
  }
}
