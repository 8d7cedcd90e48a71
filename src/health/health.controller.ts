import { Controller, Get, Inject } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { StorageMonitor } from '../storage/storage-monitor.service';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { Generator } from '../engines/generator';
import { InferenceEngines } from '../engines/inference-engines';
import { VERSION } from '../common/version';
import { RemoteStatusDto } from '../http/dto/remote-status.dto';

class ModelStatusDto {
  @ApiProperty({ example: 'Xenova/bge-small-en-v1.5' }) id!: string;
  @ApiProperty({ enum: ['embedding', 'generation', 'reranking'] }) task!: string;
  @ApiProperty({ example: 'q8' }) dtype!: string;
  @ApiProperty({ example: 'cpu', description: "'cpu', 'cuda', 'dml' in-process, or 'remote'" })
  device!: string;
  @ApiProperty({ enum: ['not_loaded', 'loading', 'ready', 'unavailable'] }) state!: string;
  @ApiPropertyOptional({
    example:
      'not found in MODELS_DIR (./models/Xenova/bge-small-en-v1.5) and ALLOW_REMOTE_MODELS=false',
  })
  reason?: string;
  @ApiPropertyOptional() maxTokens?: number;
  @ApiPropertyOptional() dim?: number;
  @ApiPropertyOptional() loadMs?: number;
  @ApiPropertyOptional({
    type: RemoteStatusDto,
    description:
      'A remote model (device "remote"): each replica with its state, last error and latency',
  })
  remote?: RemoteStatusDto;
}

class ModesDto {
  @ApiProperty({
    enum: ['hybrid', 'lexical'],
    description: 'Default search mode for collections on the default embedding model',
  })
  search!: string;
  @ApiPropertyOptional() searchReason?: string;
  @ApiProperty({ enum: ['generative', 'extractive'] }) ask!: string;
  @ApiPropertyOptional() askReason?: string;
}

class StorageFaultDto {
  @ApiProperty({ enum: ['database', 'index snapshots'], description: 'Which writes fail' })
  source!: string;
  @ApiProperty({ enum: ['insufficient_storage', 'storage_read_only', 'storage_io_error'] })
  code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({
    description: 'path, operation, cause (ENOSPC, SQLITE_FULL, EROFS, ...), freeBytes',
  })
  details!: Record<string, unknown>;
  @ApiProperty({ description: 'When the fault began (ISO 8601)' }) since!: string;
}

class StorageErrorDto {
  @ApiProperty({ enum: ['database', 'index snapshots'] }) source!: string;
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ description: 'ISO 8601' }) at!: string;
}

class StorageDto {
  @ApiProperty({
    enum: ['ok', 'low_space', 'failing'],
    description:
      'low_space: less free than STORAGE_MIN_FREE_MB, new data refused; failing: writes fail',
  })
  status!: string;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty({ description: 'STORAGE_DIR' }) dir!: string;
  @ApiProperty() writable!: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Free bytes on the storage file system (statfs)',
  })
  freeBytes!: number | null;
  @ApiProperty({ type: Number, nullable: true }) totalBytes!: number | null;
  @ApiProperty({ description: 'STORAGE_MIN_FREE_MB in bytes' }) minFreeBytes!: number;
  @ApiPropertyOptional({
    description: "The process's file-size limit (RLIMIT_FSIZE), when one is set",
  })
  fileSizeLimitBytes?: number;
  @ApiProperty({
    type: [StorageFaultDto],
    description: 'Faults in effect; each clears when that kind of write works again',
  })
  faults!: StorageFaultDto[];
  @ApiPropertyOptional({
    type: StorageErrorDto,
    description: 'The most recent storage fault, kept after it cleared',
  })
  lastError?: StorageErrorDto;
}

class HealthDto {
  @ApiProperty({
    enum: ['ok', 'degraded'],
    description:
      'degraded: serving without a model (lexical search or extractive answers), or storage failing or below STORAGE_MIN_FREE_MB',
  })
  status!: string;
  @ApiProperty({ example: '0.1.0' }) version!: string;
  @ApiProperty() uptimeSeconds!: number;
  @ApiProperty({ type: ModesDto }) modes!: ModesDto;
  @ApiProperty({ type: [ModelStatusDto] }) models!: ModelStatusDto[];
  @ApiProperty({ type: StorageDto }) storage!: StorageDto;
}

@ApiTags('health')
@Controller()
export class HealthController {
  private readonly started = Date.now();

  constructor(
    private readonly engines: InferenceEngines,
    private readonly embedder: EmbeddingEngine,
    private readonly generator: Generator,
    private readonly storage: StorageMonitor,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get('health')
  @ApiOperation({
    summary: 'Status, version, each model state, the modes in effect and the state of the storage',
  })
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    const { embedding, generation } = this.settings;
    const emb = this.embedder.status({ id: embedding.model, dtype: embedding.dtype });
    const gen = this.generator.status({ id: generation.model, dtype: generation.dtype });
    const why = (s: ModelStatusDto) =>
      `${s.task} model ${s.id} is ${s.state}${s.reason ? `: ${s.reason}` : ''}`;
    const modes: ModesDto = {
      search: emb.state === 'unavailable' ? 'lexical' : 'hybrid',
      ...(emb.state !== 'ready' ? { searchReason: why(emb) } : {}),
      ask: gen.state === 'unavailable' ? 'extractive' : 'generative',
      ...(gen.state !== 'ready' ? { askReason: why(gen) } : {}),
    };
    const storage = this.storage.status();
    const degraded =
      emb.state === 'unavailable' || gen.state === 'unavailable' || storage.status !== 'ok';
    return {
      status: degraded ? 'degraded' : 'ok',
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      modes,
      models: this.engines.statuses(),
      storage,
    };
  }
}
