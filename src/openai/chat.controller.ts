import { Body, Controller, HttpCode, Post, Res, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorDto } from '../http/error.dto';
import { SseStream, abortOnClose } from '../http/sse';
import { StorageMonitor } from '../storage/storage-monitor.service';
import { ChatService } from './chat.service';
import { ChatCompletionRequestDto } from './dto/chat.dto';
import { OpenAiExceptionFilter } from '../http/openai-exception.filter';

@ApiTags('openai')
@Controller('v1/chat/completions')
@UseFilters(OpenAiExceptionFilter)
@RequireScope('read', { body: 'collection', optional: true }) // without a collection: any key
export class ChatController {
  /** Shapes errors met after the event stream has started, as the route's filter would (storage faults included). */
  private readonly errors: OpenAiExceptionFilter;

  constructor(
    private readonly chat: ChatService,
    storage: StorageMonitor,
  ) {
    this.errors = new OpenAiExceptionFilter(storage);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI-compatible chat completions, streaming or not',
    description:
      "As OpenAI's POST /v1/chat/completions with any generation model of GET /v1/models (one choice). Extensions: `collection` answers from a collection (the last user message is the question) with the cited sources in `sources`; `top_k`; `dtype`. Streaming sends chat.completion.chunk events and `data: [DONE]`; closing the connection stops the generation.",
  })
  @ApiOkResponse({
    description:
      'A chat.completion object, or a text/event-stream of chat.completion.chunk objects when stream is true',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'Unknown model (the error lists the available ones) or collection',
  })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'The model cannot be loaded' })
  async create(@Body() body: ChatCompletionRequestDto, @Res() res: Response): Promise<void> {
    const signal = abortOnClose(res);
    if (!body.stream) {
      res.status(200).json(await this.chat.complete(body, signal));
      return;
    }
    const sse = new SseStream(res);
    const id = `chatcmpl-${Date.now().toString(36)}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (
      delta: Record<string, unknown>,
      finish: string | null,
      extra: Record<string, unknown> = {},
    ) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      ...extra,
    });
    let first = true;
    const opening = (extra: Record<string, unknown> = {}) => {
      if (!first) return;
      first = false;
      sse.send(undefined, chunk({ role: 'assistant', content: '' }, null, extra));
    };
    try {
      const done = await this.chat.complete(body, signal, {
        onSources: (sources) => opening({ sources }),
        onToken: (text) => {
          opening();
          sse.send(undefined, chunk({ content: text }, null));
        },
      });
      opening();
      const choice = done.choices[0]!;
      sse.send(
        undefined,
        chunk(
          {},
          choice.finish_reason,
          done.sources ? { sources: done.sources, invalid_citations: done.invalid_citations } : {},
        ),
      );
      if (body.stream_options?.include_usage)
        sse.send(undefined, {
          id,
          object: 'chat.completion.chunk',
          created,
          model: body.model,
          choices: [],
          usage: done.usage,
        });
      sse.send(undefined, '[DONE]');
    } catch (e) {
      if (!sse.headersSent) throw e;
      sse.send(undefined, this.errors.openAiBody(e));
    }
    sse.end();
  }
}
