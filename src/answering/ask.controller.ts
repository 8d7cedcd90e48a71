import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
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
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { AllExceptionsFilter } from '../http/all-exceptions.filter';
import { ErrorDto } from '../http/error.dto';
import { SseStream, abortOnClose } from '../http/sse';
import { StorageMonitor } from '../storage/storage-monitor.service';
import { AnsweringService } from './answering.service';
import { AskDto, AskResponseDto } from './dto/ask.dto';

@ApiTags('search')
@RequireScope('read')
@Controller('v1/collections/:name')
export class AskController {
  constructor(
    private readonly answering: AnsweringService,
    storage: StorageMonitor,
    @Inject(SETTINGS) settings: Settings,
  ) {
    this.errors = new AllExceptionsFilter(storage, settings);
  }

  /** Shapes errors met after an event stream has started, as the global filter would (storage faults included). */
  private readonly errors: AllExceptionsFilter;

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
