import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import { RequireScope } from '../auth/require-scope.decorator';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorDto } from '../http/error.dto';
import { MODEL_ID } from '../http/validators';
import { InvalidInputError, ModelNotFoundError } from '../common/errors';
import { ModelDto, ModelListDto, ModelSelectorDto, RemovedModelDto } from './dto/model.dto';
import { OpenAiExceptionFilter } from '../http/openai-exception.filter';
import { ModelRegistryService, ModelSelector, ModelView } from './model-registry.service';
import { ModelStoreService } from './model-store.service';

const RANK: Record<ModelView['state'], number> = {
  ready: 0,
  loading: 1,
  downloading: 2,
  available: 3,
  failed: 4,
};

/**
 * The model registry, in OpenAI's list shape so that OpenAI clients can list models too. Ids of the
 * form "org/name" take two path segments: /v1/models/org/name/load.
 */
@ApiTags('models')
@Controller('v1/models')
@UseFilters(OpenAiExceptionFilter)
@RequireScope('admin') // loading and unloading; listing needs any key
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly store: ModelStoreService,
  ) {}

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
  @ApiOperation({
    summary:
      'One model (its best-loaded entry, or the task and precision asked for, e.g. ?dtype=q8 to follow a pull); an "org/name" id is two segments',
  })
  @ApiOkResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Not a model id' })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string, @Query() query: ModelSelectorDto): ModelDto {
    return this.pick(modelId(id), query);
  }

  @Get(':org/:name')
  @RequireScope('key')
  @ApiOperation({ summary: 'One model with an "org/name" id' })
  @ApiOkResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Not a model id' })
  @ApiNotFoundResponse({ type: ErrorDto })
  getScoped(
    @Param('org') org: string,
    @Param('name') name: string,
    @Query() query: ModelSelectorDto,
  ): ModelDto {
    return this.pick(modelId(`${org}/${name}`), query);
  }

  @Post(':id/pull')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Download a model into MODELS_DIR ahead of use (admin)',
    description:
      "Answers at once with the model's view: state `downloading` and a `download` object (bytes per file and in all, rate, time left), which GET /v1/models/{id}?dtype=... follows. Files already there are kept, a cut download resumes, each file is verified against the hub's size and hash. A model nobody loads is not loaded; one the server uses loads when complete. Default precision: the task's configured one.",
  })
  @ApiAcceptedResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Not a model id, or a bad body' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'The hub has no such model' })
  @ApiConflictResponse({ type: ErrorDto, description: 'ALLOW_REMOTE_MODELS=false' })
  @ApiBadGatewayResponse({
    type: ErrorDto,
    description: 'The hub could not be asked which task the model is for (say `task`)',
  })
  pull(@Param('id') id: string, @Body() body: ModelSelectorDto): Promise<ModelDto> {
    return this.store.pull(modelId(id), body);
  }

  @Post(':org/:name/pull')
  @HttpCode(202)
  @ApiOperation({ summary: 'Download a model with an "org/name" id (admin)' })
  @ApiAcceptedResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto })
  @ApiBadGatewayResponse({ type: ErrorDto })
  pull2(
    @Param('org') org: string,
    @Param('name') name: string,
    @Body() body: ModelSelectorDto,
  ): Promise<ModelDto> {
    return this.store.pull(modelId(`${org}/${name}`), body);
  }

  @Delete(':id')
  @ApiOperation({
    summary:
      'Remove a model (every precision) from MODELS_DIR, unless a collection uses it or it is loaded (admin)',
  })
  @ApiOkResponse({ type: RemovedModelDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Not a model id' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'Not in MODELS_DIR' })
  @ApiConflictResponse({
    type: ErrorDto,
    description: 'A collection uses it, or it is loaded or downloading',
  })
  remove(@Param('id') id: string): Promise<RemovedModelDto> {
    return this.store.remove(modelId(id));
  }

  @Delete(':org/:name')
  @ApiOperation({ summary: 'Remove a model with an "org/name" id from MODELS_DIR (admin)' })
  @ApiOkResponse({ type: RemovedModelDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto })
  remove2(@Param('org') org: string, @Param('name') name: string): Promise<RemovedModelDto> {
    return this.store.remove(modelId(`${org}/${name}`));
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

  /** The entry asked for (task, precision), else the best loaded one; 404 when none. */
  private pick(id: string, sel: ModelSelector): ModelView {
    const all = this.registry.find(id);
    const chosen = all.filter(
      (v) => (!sel.task || v.task === sel.task) && (!sel.dtype || v.dtype === sel.dtype),
    );
    if (chosen.length === 0)
      throw new ModelNotFoundError(
        `${id} (${[sel.task, sel.dtype].filter(Boolean).join(', ')})`,
        all.map((v) => `${v.id} (${v.task}, ${v.dtype})`),
      );
    return best(chosen);
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
