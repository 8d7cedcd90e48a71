import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ChunkReadPlaceDto } from '../../http/dto/chunk-place.dto';

export const MODES = ['dense', 'lexical', 'hybrid'] as const;

const FILTER_DESCRIPTION =
  'Metadata filter, applied inside both the dense and lexical paths. {key: value} for equality; operators on a key: $eq $ne $in $nin $gt $gte $lt $lte (numbers, or ISO 8601 dates); $and / $or with arrays of filters. Several keys must all match.';
const FILTER_EXAMPLE = {
  department: 'finance',
  year: { $gte: 2024 },
  $or: [{ lang: 'en' }, { lang: { $in: ['de', 'fr'] } }],
};

export class FusionDto {
  @ApiPropertyOptional({
    description: 'k of reciprocal rank fusion (default: the collection setting, 60)',
    minimum: 1,
    maximum: 1000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  k?: number;

  @ApiPropertyOptional({
    description: 'weight of the dense list (default 1)',
    minimum: 0,
    maximum: 10,
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(10)
  denseWeight?: number;

  @ApiPropertyOptional({
    description: 'weight of the lexical list (default 1)',
    minimum: 0,
    maximum: 10,
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(10)
  lexicalWeight?: number;
}

/** Retrieval options shared by search and ask. */
export class RetrievalOptionsDto {
  @ApiPropertyOptional({
    enum: MODES,
    description:
      'Default: hybrid (reciprocal rank fusion of dense and lexical) when the collection has vectors and its model is available, else lexical.',
  })
  @IsOptional()
  @IsIn(MODES)
  mode?: (typeof MODES)[number];

  @ApiPropertyOptional({ description: FILTER_DESCRIPTION, example: FILTER_EXAMPLE, type: Object })
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  @ApiPropertyOptional({ type: FusionDto })
  @IsOptional()
  @IsObject() // an array would pass ValidateNested unchecked
  @ValidateNested()
  @Type(() => FusionDto)
  fusion?: FusionDto;

  @ApiPropertyOptional({
    description:
      'Rerank the fused candidates with the cross-encoder (default: the collection setting). 503 if asked for and the reranker is unavailable.',
  })
  @IsOptional()
  @IsBoolean()
  rerank?: boolean;

  @ApiPropertyOptional({
    description: 'Candidates the cross-encoder scores (default RERANK_CANDIDATES)',
    minimum: 1,
    maximum: 1000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  rerankCandidates?: number;

  @ApiPropertyOptional({
    description: 'Maximal marginal relevance: 1 = relevance only, lower = more diverse results',
    minimum: 0,
    maximum: 1,
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  mmrLambda?: number;
}

export class SearchDto extends RetrievalOptionsDto {
  @ApiProperty({ example: 'How long can flights be in economy?', maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  query!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  topK?: number;

  @ApiPropertyOptional({
    description:
      "Show each result's dense and lexical rank and score, fused score and rerank score",
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  explain?: boolean;
}

export class TimingsDto {
  @ApiProperty({ description: 'Query embedding' }) embedMs!: number;
  @ApiProperty({ description: 'Index and FTS5 lookups and fusion' }) searchMs!: number;
  @ApiProperty({ description: 'Cross-encoder reranking' }) rerankMs!: number;
  @ApiProperty() totalMs!: number;
}

export class HitExplanationDto {
  @ApiPropertyOptional({ description: '1-based rank in the dense candidate list', example: 1 })
  denseRank?: number;
  @ApiPropertyOptional({ description: 'cosine similarity', example: 0.83 }) denseScore?: number;
  @ApiPropertyOptional({
    description: '1-based rank in the lexical (BM25) candidate list',
    example: 3,
  })
  lexicalRank?: number;
  @ApiPropertyOptional({ description: 'BM25 score (higher is better)', example: 7.2 })
  lexicalScore?: number;
  @ApiPropertyOptional({ description: 'reciprocal rank fusion score', example: 0.0325 })
  fusedScore?: number;
  @ApiPropertyOptional({ description: 'cross-encoder score', example: 4.1 }) rerankScore?: number;
}

export class SearchHitDto extends ChunkReadPlaceDto {
  @ApiProperty() documentId!: string;
  @ApiProperty() chunkId!: number;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty() text!: string;
  @ApiProperty({
    description: 'dense: cosine similarity; lexical: BM25 (higher is better); hybrid: RRF score',
  })
  score!: number;
  @ApiProperty({ description: 'Character offset of the chunk in its document' }) start!: number;
  @ApiProperty() end!: number;
  @ApiProperty() ordinal!: number;
  @ApiProperty({ type: Object }) metadata!: Record<string, unknown>;
  @ApiPropertyOptional({ type: () => HitExplanationDto, description: 'With explain: true' })
  explain?: HitExplanationDto;
}

export class SearchResponseDto {
  @ApiProperty({ type: [SearchHitDto] }) results!: SearchHitDto[];
  @ApiProperty({ enum: MODES }) mode!: string;
  @ApiProperty({ description: 'Whether the cross-encoder reordered the results' })
  reranked!: boolean;
  @ApiPropertyOptional({
    description: 'Why this mode, or what it cannot see',
    example: 'lexical only: embedding model X is unavailable: ...',
  })
  modeReason?: string;
  @ApiProperty({ type: TimingsDto }) timings!: TimingsDto;
}
