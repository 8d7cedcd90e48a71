import { Body, Controller, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { RequireScope } from '../auth/require-scope.decorator';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorDto } from '../http/error.dto';
import { MODEL_ID } from '../http/validators';
import { InvalidInputError } from '../common/errors';
import { ModelDto, ModelListDto, ModelSelectorDto } from './dto/model.dto';
import { OpenAiExceptionFilter } from '../http/openai-exception.filter';
import { ModelRegistryService, ModelView } from './model-registry.service';

const RANK: Record<ModelView['state'], number> = { ready: 0, loading: 1, available: 2, failed: 3 };

/**
 * The model registry, in OpenAI's list shape so that OpenAI clients can list models too. Ids of the
 * form "org/name" take two path segments: /v1/models/org/name/load.
 */
@ApiTags('models')
@Controller('v1/models')
@UseFilters(OpenAiExceptionFilter)
@RequireScope('admin') // loading and unloading; listing needs any key
export class ModelsController {
  constructor(private readonly registry: ModelRegistryService) {}

  @Get()
  @RequireScope('key')
  @ApiOperation({
    summary:
      'Models the server can use: configured defaults, MODELS_DIR, and what collections are pinned to',
    description:
      'One entry per model, task and precision, with its state (available, loading, ready, failed + reason), weights size and load time.',
  })
  @ApiOkResponse({ type: ModelListDto })
  list(): ModelListDto {
    return { object: 'list', data: this.registry.list() };
  }

  @Get(':id')
  @RequireScope('key')
  @ApiOperation({ summary: 'One model (its best-loaded entry); an "org/name" id is two segments' })
  @ApiOkResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Not a model id' })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): ModelDto {
    return best(this.registry.find(modelId(id)));
  }

  @Get(':org/:name')
  @RequireScope('key')
  @ApiOperation({ summary: 'One model with an "org/name" id' })
  @ApiOkResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Not a model id' })
  @ApiNotFoundResponse({ type: ErrorDto })
  getScoped(@Param('org') org: string, @Param('name') name: string): ModelDto {
    return best(this.registry.find(modelId(`${org}/${name}`)));
  }

  @Post(':id/load')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load a model now (once: concurrent loads wait on the same one)' })
  @ApiOkResponse({ type: ModelDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Unknown task, or a precision the model does not have',
  })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'Not in MODELS_DIR and remote models are off; the error lists what is available',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    description: 'The model failed to load; the reason says why',
  })
  load(@Param('id') id: string, @Body() body: ModelSelectorDto): Promise<ModelDto> {
    return this.registry.load(modelId(id), body);
  }

  @Post(':org/:name/load')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load a model with an "org/name" id' })
  @ApiOkResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiServiceUnavailableResponse({ type: ErrorDto })
  load2(
    @Param('org') org: string,
    @Param('name') name: string,
    @Body() body: ModelSelectorDto,
  ): Promise<ModelDto> {
    return this.registry.load(modelId(`${org}/${name}`), body);
  }

  @Post(':id/unload')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Unload a model (every precision and task it is loaded with, or the one selected) and free its memory',
  })
  @ApiOkResponse({ type: ModelListDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Not a model id, or a bad body' })
  @ApiNotFoundResponse({ type: ErrorDto })
  async unload(@Param('id') id: string, @Body() body: ModelSelectorDto): Promise<ModelListDto> {
    return { object: 'list', data: await this.registry.unload(modelId(id), body) };
  }

  @Post(':org/:name/unload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unload a model with an "org/name" id' })
  @ApiOkResponse({ type: ModelListDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async unload2(
    @Param('org') org: string,
    @Param('name') name: string,
    @Body() body: ModelSelectorDto,
  ): Promise<ModelListDto> {
    return { object: 'list', data: await this.registry.unload(modelId(`${org}/${name}`), body) };
  }
}

function best(views: ModelView[]): ModelView {
  return [...views].sort((a, b) => RANK[a.state] - RANK[b.state])[0]!;
}

/** A model id from the path, refused (400) unless it looks like "org/name" or "name": no "." or ".." parts, which would point outside MODELS_DIR. */
function modelId(id: string): string {
  if (id.length > 200 || !MODEL_ID.test(id))
    throw new InvalidInputError(
      `'${id.slice(0, 200)}' is not a model id: use "org/name" or "name" (letters, digits, "_", "-", ".", no "." or ".." parts)`,
      { model: id.slice(0, 200) },
    );
  return id;
}
