import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DTYPES, type Dtype } from '../../config/settings';
import { IsJsonObject, IsModelId } from '../../http/validators';
import {
  LANGUAGE_DESCRIPTION,
  LANGUAGE_SETTINGS,
  LexicalAnalysisDto,
} from './lexical-analysis.dto';

export class SearchSettingsDto {
  @ApiPropertyOptional({
    description: 'k of reciprocal rank fusion',
    minimum: 1,
    maximum: 1000,
    default: 60,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  rrfK?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(10)
  denseWeight?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(10)
  lexicalWeight?: number;

  @ApiPropertyOptional({
    description: 'Rerank search and ask results with the cross-encoder by default',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  rerank?: boolean;

  @ApiPropertyOptional({
    description: 'Cross-encoder model (default RERANK_MODEL)',
    example: 'Xenova/ms-marco-MiniLM-L-6-v2',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsModelId('rerankModel')
  rerankModel?: string;
}

export class CreateCollectionDto {
  @ApiProperty({
    description:
      'Unique name: letters, digits, "-" and "_", 1-64 characters, starting with a letter or digit.',
    example: 'handbook',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
    message:
      'name must be 1-64 characters of letters, digits, "-" or "_", starting with a letter or digit',
  })
  name!: string;

  @ApiPropertyOptional({
    description:
      'Embedding model (Hugging Face id or folder under MODELS_DIR). The collection is pinned to it. Default: EMBEDDING_MODEL.',
    example: 'Xenova/bge-small-en-v1.5',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsModelId('embeddingModel')
  embeddingModel?: string;

  @ApiPropertyOptional({
    description: 'Weights precision of the embedding model. Default: EMBEDDING_DTYPE.',
    enum: DTYPES,
    example: 'q8',
  })
  @IsOptional()
  @IsIn(DTYPES)
  embeddingDtype?: Dtype;

  @ApiPropertyOptional({
    description:
      'Target chunk size in tokens of the embedding tokenizer (clamped to the model maximum). Default: DEFAULT_CHUNK_SIZE.',
    minimum: 16,
    maximum: 8192,
    example: 256,
  })
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(8192)
  chunkSize?: number;

  @ApiPropertyOptional({
    description:
      'Tokens of whole sentences repeated between neighbouring chunks; below chunkSize. Default: DEFAULT_CHUNK_OVERLAP.',
    minimum: 0,
    maximum: 4096,
    example: 32,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4096)
  chunkOverlap?: number;

  @ApiPropertyOptional({
    description: 'Free-form JSON object kept with the collection.',
    example: { team: 'support' },
  })
  @IsOptional()
  @IsJsonObject(65536)
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: SearchSettingsDto,
    description: 'Search defaults of the collection; each can be overridden per request.',
  })
  @IsOptional()
  @IsObject() // an array would pass ValidateNested unchecked
  @ValidateNested()
  @Type(() => SearchSettingsDto)
  search?: SearchSettingsDto;

  @ApiPropertyOptional({
    description: `${LANGUAGE_DESCRIPTION} Default: auto.`,
    enum: LANGUAGE_SETTINGS,
    example: 'auto',
  })
  @IsOptional()
  @IsIn(LANGUAGE_SETTINGS)
  language?: string;
}

export class UpdateCollectionDto {
  @ApiPropertyOptional({
    description: 'Replaces the collection metadata.',
    example: { team: 'support' },
  })
  @IsOptional()
  @IsJsonObject(65536)
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: SearchSettingsDto,
    description: 'Merged into the current search defaults.',
  })
  @IsOptional()
  @IsObject() // an array would pass ValidateNested unchecked
  @ValidateNested()
  @Type(() => SearchSettingsDto)
  search?: SearchSettingsDto;

  @ApiPropertyOptional({
    description: `${LANGUAGE_DESCRIPTION} Changing it analyses every document again in the background.`,
    enum: LANGUAGE_SETTINGS,
    example: 'auto',
  })
  @IsOptional()
  @IsIn(LANGUAGE_SETTINGS)
  language?: string;
}

export class CollectionCountsDto {
  @ApiProperty({ example: 12 }) documents!: number;
  @ApiProperty({ example: 340 }) chunks!: number;
  @ApiProperty({ description: 'Chunks with a stored vector', example: 340 }) vectors!: number;
  @ApiProperty({ description: 'Chunks waiting for the embedding model', example: 0 })
  pending!: number;
  @ApiProperty({ description: 'Vectors in the in-memory HNSW index', example: 340 })
  indexed!: number;
}

class SearchSettingsViewDto {
  @ApiProperty({ example: 60 }) rrfK!: number;
  @ApiProperty({ example: 1 }) denseWeight!: number;
  @ApiProperty({ example: 1 }) lexicalWeight!: number;
  @ApiProperty({ example: false }) rerank!: boolean;
  @ApiPropertyOptional() rerankModel?: string;
}

class IndexStateDto {
  @ApiProperty({
    enum: ['ready', 'building'],
    description:
      'building: being rebuilt from the stored vectors after a missing or damaged snapshot; searches are lexical meanwhile',
  })
  state!: string;
  @ApiProperty({ description: 'Vectors in the HNSW index' }) size!: number;
  @ApiPropertyOptional({ description: 'While building: vectors loaded so far' }) done?: number;
  @ApiPropertyOptional({ description: 'While building: vectors to load' }) total?: number;
}

export class ReembedDto {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({
    enum: ['running', 'done', 'failed', 'cancelled'],
    description:
      'running: new vectors are being computed while searches use the old ones; done: switched',
  })
  state!: string;
  @ApiProperty({ description: 'The model being moved to', example: 'Xenova/bge-base-en-v1.5' })
  embeddingModel!: string;
  @ApiProperty({ enum: DTYPES, example: 'q8' }) embeddingDtype!: string;
  @ApiProperty({
    description: 'The model in service before the switch',
    example: 'Xenova/bge-small-en-v1.5',
  })
  fromModel!: string;
  @ApiProperty({ enum: DTYPES, example: 'q8' }) fromDtype!: string;
  @ApiProperty({ description: 'Chunks with a new vector so far (while running)', example: 1200 })
  done!: number;
  @ApiProperty({
    description: 'Chunks to re-embed (while running; grows if documents are added meanwhile)',
    example: 3400,
  })
  total!: number;
  @ApiPropertyOptional({ description: 'Why it failed' }) error?: string;
  @ApiProperty() startedAt!: string;
  @ApiPropertyOptional() finishedAt?: string;
}

export class CollectionDto {
  @ApiProperty({ example: 'handbook' }) name!: string;
  @ApiProperty({ description: LANGUAGE_DESCRIPTION, enum: LANGUAGE_SETTINGS, example: 'auto' })
  language!: string;
  @ApiProperty({ type: LexicalAnalysisDto }) lexical!: LexicalAnalysisDto;
  @ApiProperty({ type: SearchSettingsViewDto }) search!: SearchSettingsViewDto;
  @ApiProperty({ example: 'Xenova/bge-small-en-v1.5' }) embeddingModel!: string;
  @ApiProperty({ enum: DTYPES, example: 'q8' }) embeddingDtype!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Pinned at the first stored vector',
    example: 384,
  })
  embeddingDim!: number | null;
  @ApiProperty({ example: 256 }) chunkSize!: number;
  @ApiProperty({ example: 32 }) chunkOverlap!: number;
  @ApiProperty({ type: Object, example: {} }) metadata!: Record<string, unknown>;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: CollectionCountsDto }) counts!: CollectionCountsDto;
  @ApiProperty({ type: IndexStateDto }) index!: IndexStateDto;
  @ApiPropertyOptional({
    type: ReembedDto,
    description: 'The latest embedding-model migration, if any',
  })
  reembed?: ReembedDto;
}

export class StartReembedDto {
  @ApiProperty({
    description: 'The embedding model to move to (Hugging Face id or folder under MODELS_DIR)',
    example: 'Xenova/bge-base-en-v1.5',
  })
  @IsString()
  @MaxLength(200)
  @IsModelId('embeddingModel')
  embeddingModel!: string;

  @ApiPropertyOptional({
    description: 'Weights precision of the new model. Default: EMBEDDING_DTYPE.',
    enum: DTYPES,
    example: 'q8',
  })
  @IsOptional()
  @IsIn(DTYPES)
  embeddingDtype?: Dtype;
}

export class CollectionListDto {
  @ApiProperty({ type: [CollectionDto] }) collections!: CollectionDto[];
}

class LabelDifferenceDto {
  @ApiProperty({ description: 'How many labels', example: 0 }) count!: number;
  @ApiProperty({
    type: [Number],
    description: 'The smallest labels (chunk ids), ascending, at most 20',
    example: [],
  })
  first!: number[];
}

export class IndexVerificationDto {
  @ApiProperty({ example: 'handbook' }) collection!: string;
  @ApiProperty({
    enum: ['ready', 'building'],
    description:
      'building: being rebuilt from the stored vectors after a missing or damaged snapshot',
  })
  state!: 'ready' | 'building';
  @ApiPropertyOptional({ description: 'While building: vectors loaded so far' }) done?: number;
  @ApiPropertyOptional({ description: 'While building: vectors to load' }) total?: number;
  @ApiProperty({ description: 'Live vectors in the HNSW index', example: 340 }) size!: number;
  @ApiProperty({
    description: 'Elements the index holds before it grows (HNSW max elements; doubles when full)',
    example: 1024,
  })
  capacity!: number;
  @ApiProperty({ description: 'Slots of deleted vectors, reused by the next adds', example: 12 })
  deletedSlots!: number;
  @ApiProperty({
    description:
      'Elements the HNSW library holds, live and deleted (size + deletedSlots when consistent)',
    example: 352,
  })
  elements!: number;
  @ApiProperty({ description: 'Vectors stored in SQLite for the collection', example: 340 })
  storedVectors!: number;
  @ApiProperty({ type: LabelDifferenceDto, description: 'Stored vectors the index lacks' })
  missing!: LabelDifferenceDto;
  @ApiProperty({
    type: LabelDifferenceDto,
    description: 'Labels in the index with no stored vector',
  })
  extra!: LabelDifferenceDto;
  @ApiProperty({
    description: 'Ready, nothing missing, nothing extra, element count agrees',
    example: true,
  })
  consistent!: boolean;
}
