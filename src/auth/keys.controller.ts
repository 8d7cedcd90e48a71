import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiConflictResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorDto } from '../http/error.dto';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { RequireScope } from './require-scope.decorator';

@ApiTags('keys')
@Controller('v1/keys')
@RequireScope('admin')
export class KeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key; the answer holds the key, shown this once',
    description:
      'Scopes: admin (everything), read:<pattern> (search, ask, chat, evaluate, read documents and jobs), write:<pattern> (read, plus add, replace and delete documents, jobs, re-embedding, creating, changing and deleting those collections). A pattern is a collection name or a prefix ending in *. The first key created turns authentication on (while the server runs open on loopback, anyone on this machine may create it).',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  create(
    @Body() body: CreateApiKeyDto,
    @Res({ passthrough: true }) res: Response,
  ): CreatedApiKeyDto {
    res.setHeader('Cache-Control', 'no-store');
    return this.keys.create(body.name, body.scopes, body.expiresAt);
  }

  @Get()
  @ApiOperation({
    summary: 'API keys: id, name, scopes, created, last used, expiry (never the key or its hash)',
    description: 'RAGD_API_KEY is not listed: it lives in the environment, not in the database.',
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  list(): ApiKeyListDto {
    return { keys: this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key: it stops working at once' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiConflictResponse({
    type: ErrorDto,
    description: 'last_api_key: the last key of a server listening beyond loopback',
  })
  delete(@Param('id') id: string): void {
    this.keys.revoke(id);
  }
}
