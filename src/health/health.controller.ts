import { Controller, Get, Inject } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Caller, RequestCaller } from '../auth/caller';
import { Public } from '../auth/require-scope.decorator';
import { StorageMonitor } from '../storage/storage-monitor.service';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { Generator } from '../engines/generator';
import { InferenceEngines } from '../engines/inference-engines';
import { VERSION } from '../common/version';
import { RemoteStatusDto } from '../http/dto/remote-status.dto';
import { DownloadProgressDto } from '../models/dto/download-progress.dto';

class ModelStatusDto {
  @ApiProperty({ example: 'Xenova/bge-small-en-v1.5' }) id!: string;
  @ApiProperty({ enum: ['embedding', 'generation', 'reranking'] }) task!: string;
  @ApiProperty({ example: 'q8' }) dtype!: string;
  @ApiProperty({ example: 'cpu', description: "'cpu', 'cuda', 'dml' in-process, or 'remote'" })
  device!: string;
  @ApiProperty({
    enum: ['not_loaded', 'downloading', 'loading', 'ready', 'unavailable'],
    description:
      'downloading: its files are being fetched into MODELS_DIR (see download); unavailable between tries of a failed download',
  })
  state!: string;
  @ApiPropertyOptional({
    example:
      'not found in MODELS_DIR (no complete Xenova/bge-small-en-v1.5 there) and ALLOW_REMOTE_MODELS=false',
  })
  reason?: string;
  @ApiPropertyOptional() maxTokens?: number;
  @ApiPropertyOptional() dim?: number;
  @ApiPropertyOptional() loadMs?: number;
  @ApiPropertyOptional({
    type: DownloadProgressDto,
    description: 'While its files are fetched: bytes per file and in all, rate, time left',
  })
  download?: DownloadProgressDto;
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
  @ApiPropertyOptional() uptimeSeconds?: number;
  @ApiPropertyOptional({ type: ModesDto }) modes?: ModesDto;
  @ApiPropertyOptional({ type: [ModelStatusDto] }) models?: ModelStatusDto[];
  @ApiPropertyOptional({ type: StorageDto }) storage?: StorageDto;
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
  @Public()
  @ApiOperation({
    summary: 'Status, version, each model state, the modes in effect and the state of the storage',
    description:
      'Public. Once API keys are on, only an admin key gets the details (models, modes, storage: they name paths); other callers get {status, version}.',
  })
  @ApiOkResponse({ type: HealthDto })
  health(@RequestCaller() caller: Caller): HealthDto {
    const { embedding, generation } = this.settings;
    const emb = this.embedder.status({ id: embedding.model, dtype: embedding.dtype });
    const gen = this.generator.status({ id: generation.model, dtype: generation.dtype });
    const why = (s: ModelStatusDto) =>
      `${s.task} model ${s.id} is ${s.state}${s.reason ? `: ${s.reason}` : ''}`;
    // Until a downloading model is in place, requests get the fallback, as for an unavailable one.
    const without = (s: ModelStatusDto) => s.state === 'unavailable' || s.state === 'downloading';
    const modes: ModesDto = {
      search: without(emb) ? 'lexical' : 'hybrid',
      ...(emb.state !== 'ready' ? { searchReason: why(emb) } : {}),
      ask: without(gen) ? 'extractive' : 'generative',
      ...(gen.state !== 'ready' ? { askReason: why(gen) } : {}),
    };
    const storage = this.storage.status();
    const degraded = without(emb) || without(gen) || storage.status !== 'ok';
    if (!caller.admin) return { status: degraded ? 'degraded' : 'ok', version: VERSION };
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
