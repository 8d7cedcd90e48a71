import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorDto } from '../http/error.dto';
import { OpenAiExceptionFilter } from '../http/openai-exception.filter';
import { RerankRequestDto, RerankResponseDto } from './dto/rerank.dto';
import { RerankService } from './rerank.service';

@ApiTags('openai')
@Controller('v1/rerank')
@UseFilters(OpenAiExceptionFilter)
@RequireScope('key')
export class RerankController {
  constructor(private readonly rerankService: RerankService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rerank documents for a query (Cohere/Jina shape)',
    description:
      'As the POST /v1/rerank of Cohere, Jina and vLLM: `{model, query, documents, top_n?, return_documents?}` in, `{results: [{index, relevance_score}]}` out, most relevant first, with any reranking model of GET /v1/models. relevance_score is the sigmoid of the cross-encoder logit (0-1). Lets another ragd use this one as its remote reranker (RERANK_ENDPOINT).',
  })
  @ApiOkResponse({ type: RerankResponseDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'Unknown model; the error lists what is available',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    description: 'The model cannot be loaded or reached',
  })
  create(@Body() body: RerankRequestDto): Promise<RerankResponseDto> {
    return this.rerankService.rerank(body);
  }
}
