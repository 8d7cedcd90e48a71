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
import { EmbeddingsRequestDto, EmbeddingsResponseDto } from './dto/embeddings.dto';
import { EmbeddingsService } from './embeddings.service';
import { OpenAiExceptionFilter } from '../http/openai-exception.filter';

@ApiTags('openai')
@Controller('v1/embeddings')
@UseFilters(OpenAiExceptionFilter)
@RequireScope('key')
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'OpenAI-compatible embeddings',
    description:
      "As OpenAI's POST /v1/embeddings, with any embedding model of GET /v1/models; extensions: dtype, input_type (query or passage prefix). Errors come in OpenAI's shape {error: {message, type, param, code}}.",
  })
  @ApiOkResponse({ type: EmbeddingsResponseDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'Unknown model; the error lists what is available',
  })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'The model cannot be loaded' })
  create(@Body() body: EmbeddingsRequestDto): Promise<EmbeddingsResponseDto> {
    return this.embeddings.embed(body);
  }
}
