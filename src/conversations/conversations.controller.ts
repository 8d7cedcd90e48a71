import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope } from '../auth/require-scope.decorator';
import { AllExceptionsFilter } from '../http/all-exceptions.filter';
import { ErrorDto } from '../http/error.dto';
import { SseStream, abortOnClose } from '../http/sse';
import { StorageMonitor } from '../storage/storage-monitor.service';
import { ConversationsService } from './conversations.service';
import { ChatTurnDto, ChatTurnResponseDto, ConversationDto } from './dto/chat-turn.dto';

@ApiTags('conversations')
@RequireScope('read')
@Controller('v1/collections/:name/chat')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    storage: StorageMonitor,
  ) {
    this.errors = new AllExceptionsFilter(storage);
  }

  /** Shapes errors met after an event stream has started, as the global filter would. */
  private readonly errors: AllExceptionsFilter;

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'One turn of a conversation over the collection',
    description:
      'With `stream: true` the answer comes as server-sent events, as for ask: `sources`, `token`s, then `done` with the whole turn (sessionId included), or `error`. Keeps the history in SQLite. A follow-up question ("and when does it leave?") is rewritten into one that stands alone before retrieval: by the generation model if its rewrite stays on the conversation, else by adding the previous query\'s words. The answer is as for ask, plus sessionId, standaloneQuery and rewrite.',
  })
  @ApiOkResponse({ type: ChatTurnResponseDto })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'No such collection or conversation' })
  async turn(
    @Param('name') name: string,
    @Body() body: ChatTurnDto,
    @Res() res: Response,
  ): Promise<void> {
    const signal = abortOnClose(res);
    const { stream, ...rest } = body;
    const req = {
      ...rest,
      topK: body.topK ?? 5,
      temperature: body.temperature ?? 0,
      neighbors: body.neighbors ?? 0,
    };
    if (!stream) {
      res.status(200).json(await this.conversations.turn(name, req, signal));
      return;
    }
    const sse = new SseStream(res);
    try {
      const result = await this.conversations.turn(name, req, signal, {
        onSources: (sources, retrieval) => sse.send('sources', { sources, retrieval }),
        onToken: (text) => sse.send('token', { text }),
      });
      sse.send('done', result);
    } catch (e) {
      if (!sse.headersSent) throw e; // still an ordinary JSON error
      sse.send('error', this.errors.body(e));
    }
    sse.end();
  }

  @Get(':sessionId')
  @ApiOperation({ summary: 'A conversation with its turns' })
  @ApiOkResponse({ type: ConversationDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(
    @Param('name') name: string,
    @Param('sessionId', new ParseUUIDPipe()) sessionId: string,
  ): ConversationDto {
    return this.conversations.get(name, sessionId);
  }

  @Delete(':sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget a conversation' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  delete(
    @Param('name') name: string,
    @Param('sessionId', new ParseUUIDPipe()) sessionId: string,
  ): void {
    this.conversations.delete(name, sessionId);
  }
}
