import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { ReembedDto, StartReembedDto } from '../collections/dto/collection.dto';
import { ErrorDto } from '../http/error.dto';
import { AddsData } from '../storage/storage-room.interceptor';
import { ModelRegistryService } from '../models/model-registry.service';
import { ReembedService } from './reembed.service';

@ApiTags('collections')
@Controller('v1/collections/:name/reembed')
export class ReembedController {
  constructor(
    private readonly reembed: ReembedService,
    private readonly models: ModelRegistryService,
  ) {}

  @Post()
  @RequireScope('write')
  @AddsData()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Move a collection to another embedding model without downtime',
    description:
      'Re-embeds every chunk with the new model in the background while searches keep using the old model and index; when every chunk has a new vector, the stored vectors and the model switch in one transaction and the new index takes over. Progress shows here and on the collection (`reembed`). A failure or a cancel leaves the old model in service; a restart resumes the job. Chunks keep their boundaries (measured with the old tokenizer).',
  })
  @ApiAcceptedResponse({ type: ReembedDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Invalid body, or the collection already uses this model and dtype',
  })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiForbiddenResponse({
    type: ErrorDto,
    description: 'model_not_allowed: the model id is not known here and does not match MODEL_ALLOW',
  })
  @ApiConflictResponse({
    type: ErrorDto,
    description: 'A re-embedding of this collection is already running',
  })
  start(@Param('name') name: string, @Body() body: StartReembedDto): ReembedDto {
    this.models.assertAllowed(body.embeddingModel);
    return this.reembed.start(name, body.embeddingModel, body.embeddingDtype);
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: "The collection's latest re-embedding: state, progress, error" })
  @ApiOkResponse({ type: ReembedDto })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'No such collection, or it was never re-embedded',
  })
  status(@Param('name') name: string): ReembedDto {
    return this.reembed.status(name);
  }

  @Delete()
  @RequireScope('write')
  @ApiOperation({ summary: 'Cancel the running re-embedding; the old model stays in service' })
  @ApiOkResponse({ type: ReembedDto })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'No such collection, or no re-embedding running',
  })
  cancel(@Param('name') name: string): Promise<ReembedDto> {
    return this.reembed.cancel(name);
  }
}
