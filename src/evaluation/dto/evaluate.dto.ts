import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { EVALUATION_MODES, type EvaluationMode } from '../evaluation.service';

export const MAX_EVALUATION_QUERIES = 5000;
const MAX_JUDGEMENTS_PER_QUERY = 10_000;
const MAX_DOCUMENT_ID_LENGTH = 256;

/** An object mapping 1..10,000 document ids to finite grades >= 0. */
function IsRelevanceMap(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isRelevanceMap',
      target: object.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          if (entries.length < 1 || entries.length > MAX_JUDGEMENTS_PER_QUERY) return false;
          return entries.every(
            ([id, grade]) =>
              id.length > 0 &&
              id.length <= MAX_DOCUMENT_ID_LENGTH &&
              typeof grade === 'number' &&
              Number.isFinite(grade) &&
              grade >= 0,
          );
        },
        defaultMessage: () =>
          `relevant must be an object of 1-${MAX_JUDGEMENTS_PER_QUERY} entries {documentId: grade}, each grade a number >= 0 (above 0 is relevant) and each id 1-${MAX_DOCUMENT_ID_LENGTH} characters`,
      },
    });
}

export class EvaluationQueryDto {
  @ApiProperty({
    description: 'The query text, searched as-is',
    example: 'which class for a four hour flight?',
    maxLength: 4000,
  })
  @IsString()
  @MaxLength(4000)
  @Matches(/\S/, { message: 'query must not be blank' })
  query!: string;

  @ApiProperty({
    description:
      'Graded relevance judgements: document id -> grade (a number >= 0). A grade above 0 is relevant; the nDCG gain is 2^grade - 1. Documents not listed count as grade 0. A query with no grade above 0 is not scored (see evaluatedQueries).',
    type: 'object',
    additionalProperties: { type: 'number', minimum: 0 },
    example: { travel: 2, expenses: 1 },
  })
  @IsRelevanceMap()
  relevant!: Record<string, number>;
}

export class EvaluateDto {
  @ApiProperty({
    type: [EvaluationQueryDto],
    minItems: 1,
    maxItems: MAX_EVALUATION_QUERIES,
    description: `1-${MAX_EVALUATION_QUERIES} queries with their relevant documents`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EVALUATION_QUERIES)
  @IsObject({ each: true }) // a nested array would pass ValidateNested unchecked
  @ValidateNested({ each: true })
  @Type(() => EvaluationQueryDto)
  queries!: EvaluationQueryDto[];

  @ApiPropertyOptional({
    description: 'Cut-off of recallAtK (recall is also given at 1, 5 and 10)',
    minimum: 1,
    maximum: 100,
    default: 10,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  k?: number;

  @ApiPropertyOptional({
    description:
      'Modes to evaluate, each on every query. lexical: FTS5 BM25; dense: HNSW; hybrid: reciprocal rank fusion of both; hybrid+rerank: hybrid with the cross-encoder (the collection default for reranking is ignored by the other three). Default: all four.',
    enum: EVALUATION_MODES,
    isArray: true,
    default: EVALUATION_MODES,
    example: ['lexical', 'hybrid'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(EVALUATION_MODES, { each: true })
  modes?: EvaluationMode[];
}

export class ModeEvaluationDto {
  @ApiProperty({ enum: EVALUATION_MODES, example: 'lexical' }) mode!: EvaluationMode;
  @ApiProperty({
    description:
      'false when the mode could not run (e.g. no embedding model for dense); the metrics are then null',
    example: true,
  })
  available!: boolean;
  @ApiPropertyOptional({
    description: 'Why the mode could not run',
    example: "Model 'Xenova/bge-small-en-v1.5' is unavailable: not found in MODELS_DIR",
  })
  reason?: string;
  @ApiPropertyOptional({
    description: 'What the searches said about the mode, e.g. chunks not yet embedded',
    example: '12 of 340 chunks have no vector yet and are found only lexically',
  })
  modeReason?: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Mean over evaluated queries of (relevant documents in the top k) / (relevant documents)',
    example: 0.82,
  })
  recallAtK!: number | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Mean recall at each cut-off: 1, 5, 10 and k',
    example: { '1': 0.41, '5': 0.74, '10': 0.82 },
  })
  recall!: Record<string, number> | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Mean reciprocal rank of the first relevant document within 10 (0 if none)',
    example: 0.57,
  })
  mrrAt10!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'Mean nDCG@10, gain 2^grade - 1, discount log2(rank + 1), ideal from the judged grades',
    example: 0.61,
  })
  ndcgAt10!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Mean wall time of one search, milliseconds',
    example: 3.2,
  })
  meanLatencyMs!: number | null;
}

export class EvaluationResultDto {
  @ApiProperty({ example: 10 }) k!: number;
  @ApiProperty({ description: 'Queries received', example: 225 }) queries!: number;
  @ApiProperty({
    description: 'Queries with at least one relevant document: the metrics are means over these',
    example: 225,
  })
  evaluatedQueries!: number;
  @ApiProperty({ description: 'Distinct documents ranked per query: max(k, 10)', example: 10 })
  depth!: number;
  @ApiProperty({
    description:
      'Chunks searched per query (3 x depth), deduplicated to documents at the rank of their best chunk',
    example: 30,
  })
  searchTopK!: number;
  @ApiProperty({ type: [ModeEvaluationDto] }) modes!: ModeEvaluationDto[];
}
