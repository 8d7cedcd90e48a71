import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DTYPES, type Dtype } from '../../config/settings';
import type { ModelTask } from '../../engines/adapters/transformers/inference-protocol';
import { RemoteStatusDto } from '../../http/dto/remote-status.dto';
import { DownloadProgressDto } from './download-progress.dto';

export const MODEL_TASKS: readonly ModelTask[] = ['embedding', 'generation', 'reranking'];

export class ModelSelectorDto {
  @ApiPropertyOptional({
    enum: MODEL_TASKS,
    description:
      'Needed for a hub model the server does not know yet; a model in MODELS_DIR knows its task',
  })
  @IsOptional()
  @IsIn(MODEL_TASKS)
  task?: ModelTask;

  @ApiPropertyOptional({
    enum: DTYPES,
    description: "Precision; default: the task's configured dtype if the model has it",
  })
  @IsOptional()
  @IsIn(DTYPES)
  dtype?: Dtype;
}

export class ModelDto {
  @ApiProperty({ example: 'Xenova/bge-small-en-v1.5' }) id!: string;
  @ApiProperty({ enum: ['model'] }) object!: 'model';
  @ApiProperty({
    description:
      'Epoch seconds when the weights were placed in MODELS_DIR; 0 when they are not there',
  })
  created!: number;
  @ApiProperty({ example: 'Xenova' }) owned_by!: string;
  @ApiProperty({ enum: MODEL_TASKS }) task!: string;
  @ApiProperty({
    enum: ['available', 'downloading', 'loading', 'ready', 'failed'],
    description:
      'downloading: its files are being fetched into MODELS_DIR (see download); then loading, then ready',
  })
  state!: string;
  @ApiPropertyOptional({ description: 'Why it failed (or cannot be loaded)' }) reason?: string;
  @ApiPropertyOptional({
    type: DownloadProgressDto,
    description:
      'While its files are fetched (and after a failed download): bytes per file and in all, rate, time left',
  })
  download?: DownloadProgressDto;
  @ApiProperty({ enum: DTYPES }) dtype!: string;
  @ApiProperty({
    enum: DTYPES,
    isArray: true,
    description: 'Precisions whose weights are in MODELS_DIR',
  })
  dtypes!: string[];
  @ApiProperty({ example: 'cpu' }) device!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Bytes of the weights of this precision (the memory it takes, plus runtime buffers)',
  })
  memoryBytes!: number | null;
  @ApiProperty({ nullable: true, type: Number }) loadMs!: number | null;
  @ApiProperty({ nullable: true, type: String }) loadedAt!: string | null;
  @ApiPropertyOptional({ description: 'Maximum input tokens' }) maxTokens?: number;
  @ApiPropertyOptional({ description: 'Embedding width' }) dim?: number;
  @ApiProperty({ enum: ['models_dir', 'hub', 'remote'] }) source!: string;
  @ApiPropertyOptional({
    type: RemoteStatusDto,
    description: 'A remote model: its replicas with their state, last error and latency',
  })
  remote?: RemoteStatusDto;
  @ApiPropertyOptional({
    enum: MODEL_TASKS,
    description: 'The task it is the configured default for',
  })
  defaultFor?: string;
  @ApiPropertyOptional({
    type: [String],
    description: 'Collections whose vectors this embedding model makes',
  })
  collections?: string[];
  @ApiPropertyOptional({
    enum: ['non-English'],
    description:
      'non-English: the default embedding model (EMBEDDING_MODEL_MULTILINGUAL) of collections whose language is fixed and not English',
  })
  defaultForLanguages?: string;
}

export class ModelListDto {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [ModelDto] }) data!: ModelDto[];
}

export class RemovedModelDto {
  @ApiProperty({ example: 'Xenova/bge-small-en-v1.5' }) id!: string;
  @ApiProperty({ enum: [true] }) deleted!: true;
  @ApiProperty({ description: 'Bytes of the files removed from MODELS_DIR' }) freedBytes!: number;
}
