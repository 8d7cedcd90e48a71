import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
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
import { AnsweringService } from '../answering/answering.service';
import { RequireScope } from '../auth/require-scope.decorator';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { StorageMonitor } from '../common/storage-monitor.service';
import { SseStream, abortOnClose } from '../common/sse';
import { RetrievalService } from '../retrieval/retrieval.service';
import { AskDto, AskResponseDto, ErrorDto, SearchDto, SearchResponseDto } from './dto/search.dto';

@ApiTags('search')
@RequireScope('read')
@Controller('v1/collections/:name')
export class SearchController {
  constructor(
    private readonly retrieval: RetrievalService,
    private readonly answering: AnsweringService,
    storage: StorageMonitor,
  ) {
    this.errors = new AllExceptionsFilter(storage);
  }

  /** Shapes errors met after an event stream has started, as the global filter would (storage faults included). */
  private readonly errors: AllExceptionsFilter;

  @Post('search')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Search chunks: dense, lexical (FTS5 BM25) or hybrid (reciprocal rank fusion)',
  })
  @ApiOkResponse({ type: SearchResponseDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    description: 'dense or hybrid asked for explicitly while the embedding model is unavailable',
  })
  search(@Param('name') name: string, @Body() body: SearchDto): Promise<SearchResponseDto> {
    const { query, topK, ...options } = body;
    return this.retrieval.search(name, { ...options, query, topK: topK ?? 10 });
  }

  @Post('ask')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Answer a question from the collection, with citations',
    description:
      'generative when the generation model is available; otherwise extractive (the best supporting sentences, cited). The response says which and why. With `stream: true` the answer comes as server-sent events: `sources`, then `token`s, then `done` with the full response (or `error`).',
  })
  @ApiOkResponse({ type: AskResponseDto })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description:
      'No such collection, or no such generation model (the error lists the available ones)',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    description: 'The generation model named in the request cannot be loaded',
  })
  async ask(
    @Param('name') name: string,
    @Body() body: AskDto,
    @Res() res: Response,
  ): Promise<void> {
    const signal = abortOnClose(res); // a client that goes away stops the generation
    const { stream, ...rest } = body;
    const req = {
      ...rest,
      topK: body.topK ?? 5,
      temperature: body.temperature ?? 0,
      neighbors: body.neighbors ?? 0,
    };
    if (!stream) {
      res.status(200).json(await this.answering.ask(name, req, signal));
      return;
    }
    const sse = new SseStream(res);
    try {
      const result = await this.answering.ask(name, req, signal, {
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
}
