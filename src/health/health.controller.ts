import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { ModelsService } from '../models/models.service';
import { VERSION } from '../version';

class ModelStatusDto {
  @ApiProperty({ example: 'Xenova/bge-small-en-v1.5' }) id!: string;
  @ApiProperty({ enum: ['embedding', 'generation', 'reranking'] }) task!: string;
  @ApiProperty({ example: 'q8' }) dtype!: string;
  @ApiProperty({ example: 'cpu' }) device!: string;
  @ApiProperty({ enum: ['not_loaded', 'loading', 'ready', 'unavailable'] }) state!: string;
  @ApiPropertyOptional({ example: 'not found in MODELS_DIR (./models/Xenova/bge-small-en-v1.5) and ALLOW_REMOTE_MODELS=false' }) reason?: string;
  @ApiPropertyOptional() maxTokens?: number;
  @ApiPropertyOptional() dim?: number;
  @ApiPropertyOptional() loadMs?: number;
}

class ModesDto {
  @ApiProperty({ enum: ['hybrid', 'lexical'], description: 'Default search mode for collections on the default embedding model' }) search!: string;
  @ApiPropertyOptional() searchReason?: string;
  @ApiProperty({ enum: ['generative', 'extractive'] }) ask!: string;
  @ApiPropertyOptional() askReason?: string;
}

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'], description: 'degraded: serving without a model (lexical search or extractive answers)' }) status!: string;
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty() uptimeSeconds!: number;
  @ApiProperty({ type: ModesDto }) modes!: ModesDto;
  @ApiProperty({ type: [ModelStatusDto] }) models!: ModelStatusDto[];
}

@ApiTags('health')
@Controller()
export class HealthController {
  private readonly started = Date.now();

  constructor(
    private readonly models: ModelsService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Status, version, each model state and the modes in effect' })
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    const { embedding, generation } = this.settings;
    const emb = this.models.statusOf('embedding', embedding.model, embedding.dtype);
    const gen = this.models.statusOf('generation', generation.model, generation.dtype);
    const why = (s: ModelStatusDto) => `${s.task} model ${s.id} is ${s.state}${s.reason ? `: ${s.reason}` : ''}`;
    const modes: ModesDto = {
      search: emb.state === 'unavailable' ? 'lexical' : 'hybrid',
      ...(emb.state !== 'ready' ? { searchReason: why(emb) } : {}),
      ask: gen.state === 'unavailable' ? 'extractive' : 'generative',
      ...(gen.state !== 'ready' ? { askReason: why(gen) } : {}),
    };
    const degraded = emb.state === 'unavailable' || gen.state === 'unavailable';
    return {
      status: degraded ? 'degraded' : 'ok',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      modes,
      models: this.models.status(),
    };
  }
}
