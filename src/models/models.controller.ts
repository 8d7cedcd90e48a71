import { Body, Controller, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDto } from '../api/dto/search.dto';
import { ModelDto, ModelListDto, ModelSelectorDto } from './dto/model.dto';
import { OpenAiExceptionFilter } from '../openai/openai-exception.filter';
import { ModelRegistryService, ModelView } from './model-registry.service';

const RANK: Record<ModelView['state'], number> = { ready: 0, loading: 1, available: 2, failed: 3 };

/**
 * The model registry, in OpenAI's list shape so that OpenAI clients can list models too. Ids of the
 * form "org/name" take two path segments: /v1/models/org/name/load.
 */
@ApiTags('models')
@Controller('v1/models')
@UseFilters(OpenAiExceptionFilter)
export class ModelsController {
  constructor(private readonly registry: ModelRegistryService) {}

  @Get()
  @ApiOperation({
    summary: 'Models the server can use: configured defaults, MODELS_DIR, and what collections are pinned to',
    description: 'One entry per model, task and precision, with its state (available, loading, ready, failed + reason), weights size and load time.',
  })
  @ApiOkResponse({ type: ModelListDto })
  list(): ModelListDto {
    return { object: 'list', data: this.registry.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One model (its best-loaded entry); an "org/name" id is two segments' })
  @ApiOkResponse({ type: ModelDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): ModelDto {
    return best(this.registry.find(id));
  }

  @Get(':org/:name')
  @ApiOperation({ summary: 'One model with an "org/name" id' })
  @ApiOkResponse({ type: ModelDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  getScoped(@Param('org') org: string, @Param('name') name: string): ModelDto {
    return best(this.registry.find(`${org}/${name}`));
  }

  @Post(':id/load')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load a model now (once: concurrent loads wait on the same one)' })
  @ApiOkResponse({ type: ModelDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'Unknown task, or a precision the model does not have' })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'Not in MODELS_DIR and remote models are off; the error lists what is available' })
  @ApiServiceUnavailableResponse({ type: ErrorDto, description: 'The model failed to load; the reason says why' })
  load(@Param('id') id: string, @Body() body: ModelSelectorDto): Promise<ModelDto> {
    return this.registry.load(id, body);
  }

  @Post(':org/:name/load')
  @HttpCode(200)
  @ApiOperation({ summary: 'Load a model with an "org/name" id' })
  @ApiOkResponse({ type: ModelDto })
  load2(@Param('org') org: string, @Param('name') name: string, @Body() body: ModelSelectorDto): Promise<ModelDto> {
    return this.registry.load(`${org}/${name}`, body);
  }

  @Post(':id/unload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unload a model (every precision and task it is loaded with, or the one selected) and free its memory' })
  @ApiOkResponse({ type: ModelListDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  async unload(@Param('id') id: string, @Body() body: ModelSelectorDto): Promise<ModelListDto> {
    return { object: 'list', data: await this.registry.unload(id, body) };
  }

  @Post(':org/:name/unload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unload a model with an "org/name" id' })
  @ApiOkResponse({ type: ModelListDto })
  async unload2(@Param('org') org: string, @Param('name') name: string, @Body() body: ModelSelectorDto): Promise<ModelListDto> {
    return { object: 'list', data: await this.registry.unload(`${org}/${name}`, body) };
  }
}

function best(views: ModelView[]): ModelView {
  return [...views].sort((a, b) => RANK[a.state] - RANK[b.state])[0]!;
}
