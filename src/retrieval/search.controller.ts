import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RetrievalService } from './retrieval.service';
import { SearchDto, SearchResponseDto } from './dto/search.dto';
import { ErrorDto } from '../http/error.dto';
import { RequireScope } from '../auth/require-scope.decorator';

@ApiTags('search')
@RequireScope('read')
@Controller('v1/collections/:name')
export class SearchController {
  constructor(private readonly retrieval: RetrievalService) {}

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
}
