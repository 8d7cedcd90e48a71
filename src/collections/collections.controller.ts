import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
} from '@nestjs/swagger';
import { Caller, RequestCaller } from '../auth/caller';
import { RequireScope } from '../auth/require-scope.decorator';
import { ModelRegistryService } from '../models/model-registry.service';
import { CollectionsService } from './collections.service';
import { Idempotency } from '../idempotency/idempotency.interceptor';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { IN_PROGRESS_DESCRIPTION, Idempotent } from '../idempotency/idempotent.decorator';
import { AddsData } from '../storage/storage-room.interceptor';
import {
  CollectionDto,
  CollectionListDto,
  CreateCollectionDto,
  IndexVerificationDto,
  UpdateCollectionDto,
} from './dto/collection.dto';
import { ErrorDto } from '../http/error.dto';

@ApiTags('collections')
@Controller('v1/collections')
export class CollectionsController {
  constructor(
    private readonly collections: CollectionsService,
    private readonly models: ModelRegistryService,
  ) {}

  @Post()
  @RequireScope('write', { body: 'name' })
  @AddsData() // above @Idempotent(): a retry of a request that succeeded gets its answer, not a 507
  @Idempotent({
    conflictDescription: `collection_exists: a collection with this name exists; or ${IN_PROGRESS_DESCRIPTION}`,
  })
  @ApiOperation({ summary: 'Create a collection, pinned to one embedding model' })
  @ApiCreatedResponse({ type: CollectionDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiForbiddenResponse({
    type: ErrorDto,
    description: 'model_not_allowed: the model id is not known here and does not match MODEL_ALLOW',
  })
  create(
    @Body() body: CreateCollectionDto,
    @Idempotency() idempotency: IdempotencyContext | undefined,
  ): CollectionDto {
    if (body.embeddingModel) this.models.assertAllowed(body.embeddingModel);
    if (body.search?.rerankModel) this.models.assertAllowed(body.search.rerankModel);
    return this.collections.create(body, idempotency);
  }

  @Get()
  @RequireScope('key')
  @ApiOperation({ summary: 'List collections with their counts (those the key may read)' })
  @ApiOkResponse({ type: CollectionListDto })
  list(@RequestCaller() caller: Caller): CollectionListDto {
    return { collections: this.collections.list().filter((c) => caller.may('read', c.name)) };
  }

  @Get(':name')
  @RequireScope('read')
  @ApiOperation({
    summary: 'A collection with counts of documents, chunks, vectors and pending chunks',
  })
  @ApiOkResponse({ type: CollectionDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('name') name: string): CollectionDto {
    return this.collections.get(name);
  }

  @Get(':name/index')
  @RequireScope('read')
  @ApiOperation({
    summary: "Check a collection's vector index against the vectors stored in SQLite",
    description:
      'The index is a cache of the stored vectors. This lists the stored vectors it lacks and the labels (chunk ids) it has that SQLite does not (counts, and the first 20 of each), its capacity and the deleted slots waiting to be reused. consistent: the index is ready, nothing is missing or extra, and the HNSW library counts as many elements as live vectors plus deleted slots.',
  })
  @ApiOkResponse({ type: IndexVerificationDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  verifyIndex(@Param('name') name: string): Promise<IndexVerificationDto> {
    return this.collections.verifyIndex(name);
  }

  @Patch(':name')
  @RequireScope('write')
  @ApiOperation({
    summary: "Change a collection's metadata or search defaults (fusion weights, reranking)",
  })
  @ApiOkResponse({ type: CollectionDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiForbiddenResponse({
    type: ErrorDto,
    description: 'model_not_allowed: the model id is not known here and does not match MODEL_ALLOW',
  })
  update(@Param('name') name: string, @Body() body: UpdateCollectionDto): CollectionDto {
    if (body.search?.rerankModel) this.models.assertAllowed(body.search.rerankModel);
    return this.collections.update(name, body);
  }

  @Delete(':name')
  @RequireScope('write')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a collection with all its documents, chunks, vectors and index',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  delete(@Param('name') name: string): void {
    this.collections.delete(name);
  }
}
