import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AnsweringService } from '../answering/answering.service';
import { RetrievalService } from '../retrieval/retrieval.service';
import { AskDto, AskResponseDto, ErrorDto, SearchDto, SearchResponseDto } from './dto/search.dto';

@ApiTags('search')
@Controller('v1/collections/:name')
export class SearchController {
  constructor(
    private readonly retrieval: RetrievalService,
    private readonly answering: AnsweringService,
  ) {}

  @Post('search')
  @HttpCode(200)
  @ApiOperation({ summary: 'Search chunks: dense, lexical (FTS5 BM25) or hybrid (reciprocal rank fusion)' })
  @ApiOkResponse({ type: SearchResponseDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'dense or hybrid asked for explicitly while the embedding model is unavailable' })
  search(@Param('name') name: string, @Body() body: SearchDto): Promise<SearchResponseDto> {
    const { query, topK, ...options } = body;
    return this.retrieval.search(name, { ...options, query, topK: topK ?? 10 });
  }

  @Post('ask')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Answer a question from the collection, with citations',
    description: 'generative when the generation model is available; otherwise extractive (the best supporting sentences, cited). The response says which and why.',
  })
  @ApiOkResponse({ type: AskResponseDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  ask(@Param('name') name: string, @Body() body: AskDto, @Res({ passthrough: true }) res: Response): Promise<AskResponseDto> {
    // A client that goes away stops the generation.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    return this.answering.ask(
      name,
      { ...body, topK: body.topK ?? 5, temperature: body.temperature ?? 0, neighbors: body.neighbors ?? 0 },
      abort.signal,
    );
  }
}
