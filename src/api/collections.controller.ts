import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiBadRequestResponse } from '@nestjs/swagger';
import { CollectionsService } from '../collections/collections.service';
import { CollectionDto, CollectionListDto, CreateCollectionDto } from './dto/collection.dto';
import { ErrorDto } from './dto/search.dto';

@ApiTags('collections')
@Controller('v1/collections')
export class CollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a collection, pinned to one embedding model' })
  @ApiCreatedResponse({ type: CollectionDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'A collection with this name exists' })
  @ApiBadRequestResponse({ type: ErrorDto })
  create(@Body() body: CreateCollectionDto): CollectionDto {
    return this.collections.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List collections with their counts' })
  @ApiOkResponse({ type: CollectionListDto })
  list(): CollectionListDto {
    return { collections: this.collections.list() };
  }

  @Get(':name')
  @ApiOperation({ summary: 'A collection with counts of documents, chunks, vectors and pending chunks' })
  @ApiOkResponse({ type: CollectionDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('name') name: string): CollectionDto {
    return this.collections.get(name);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a collection with all its documents, chunks, vectors and index' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  delete(@Param('name') name: string): void {
    this.collections.delete(name);
  }
}
