import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { Citation, AnsweringService } from '../answering/answering.service';
import { InvalidInputError, ModelUnavailableError } from '../common/errors';
import type { ChatMessage } from '../engines/chat';
import { ModelRegistryService } from '../models/model-registry.service';
import { Generator } from '../engines/generator';
import type { ChatCompletionRequestDto, ChatMessageDto } from './dto/chat.dto';

export type FinishReason = 'stop' | 'length';

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: 0;
    message: { role: 'assistant'; content: string };
    finish_reason: FinishReason;
    logprobs: null;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Extension, with `collection`: the sources the answer cites. */
  sources?: Citation[];
  /** Extension, with `collection`: citation numbers that matched no source, removed from the answer. */
  invalid_citations?: number[];
  /** Extension, with `collection`: whether the answer is supported by the sources it cites. */
  grounded?: boolean;
}

/** What a streaming caller hears: the sources (with `collection`), then text as it is generated. */
export interface ChatStream {
  onSources(sources: Citation[]): void;
  onToken(text: string): void;
}

/**
 * POST /v1/chat/completions: a chat with any generation model of the registry, or, with the
 * `collection` extension, an answer from a collection with numbered citations.
 */
@Injectable()
export class ChatService {
  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly registry: ModelRegistryService,
    private readonly generator: Generator,
    private readonly answering: AnsweringService,
  ) {}

  async complete(
    req: ChatCompletionRequestDto,
    signal?: AbortSignal,
    stream?: ChatStream,
  ): Promise<ChatCompletion> {
    const { dtype } = this.registry.resolve(req.model, { task: 'generation', dtype: req.dtype });
    const messages = req.messages.map(toChatMessage);
    const maxTokens =
      req.max_completion_tokens ?? req.max_tokens ?? this.settings.generation.maxTokens;
    const temperature = req.temperature ?? 0;
    const base = {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion' as const,
      created: Math.floor(Date.now() / 1000),
      model: req.model,
    };

    if (req.collection) {
      const question = [...messages].reverse().find((m) => m.role === 'user')?.content;
      if (!question?.trim())
        throw new InvalidInputError(
          'With collection, the last user message is the question: there is none',
          { param: 'messages' },
        );
      const answer = await this.answering.ask(
        req.collection,
        {
          question,
          topK: req.top_k ?? 5,
          neighbors: 0,
          temperature,
          maxTokens,
          model: req.model,
          dtype,
        },
        signal,
        stream && {
          onSources: (sources) => stream.onSources(sources),
          onToken: (t) => stream.onToken(t),
        },
      );
      const { promptTokens, completionTokens } = answer.usage;
      return {
        ...base,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer.answer },
            finish_reason: completionTokens >= maxTokens ? 'length' : 'stop',
            logprobs: null,
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        sources: answer.citations,
        invalid_citations: answer.invalidCitations,
        grounded: answer.grounded,
      };
    }

    const status = await this.generator.ensure({ id: req.model, dtype: dtype });
    if (status.state !== 'ready')
      throw new ModelUnavailableError(req.model, status.reason ?? status.state);
    const out = await this.generator.generate({ id: req.model, dtype: dtype }, messages, {
      maxTokens,
      temperature,
      signal,
      onToken: stream ? (t) => stream.onToken(t) : undefined,
    });
    return {
      ...base,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: out.text },
          finish_reason: out.finishReason === 'length' ? 'length' : 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: out.promptTokens,
        completion_tokens: out.completionTokens,
        total_tokens: out.promptTokens + out.completionTokens,
      },
    };
  }
}

function toChatMessage(m: ChatMessageDto): ChatMessage {
  const content =
    typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('\n');
  return { role: m.role === 'developer' ? 'system' : m.role, content };
}
