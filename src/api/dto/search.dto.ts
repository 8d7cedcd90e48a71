import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { DTYPES, type Dtype } from '../../config/settings';
import { IsModelId } from './validators';
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
import { ChunkPlaceDto, ChunkReadPlaceDto } from './chunk-place.dto';

const MODES = ['dense', 'lexical', 'hybrid'] as const;

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

export class AskDto extends RetrievalOptionsDto {
  @ApiProperty({ example: 'How long can flights be in economy?', maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  question!: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 50,
    default: 5,
    description: 'Chunks retrieved as context',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  topK?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 3,
    default: 0,
    description:
      'Widen each retrieved chunk with this many neighbouring chunks of its document on each side',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3)
  neighbors?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 8192,
    description: 'Most tokens to generate. Default: GENERATION_MAX_TOKENS.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8192)
  maxTokens?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 2,
    default: 0,
    description: '0 is greedy (deterministic)',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({
    description:
      'Generation model for this request (see GET /v1/models). Default: GENERATION_MODEL; a model named here must load (else 404/503), the default may fall back to extractive.',
    example: 'onnx-community/Qwen2.5-0.5B-Instruct',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsModelId('model')
  model?: string;

  @ApiPropertyOptional({
    enum: DTYPES,
    description:
      'Precision of the generation model. Default: GENERATION_DTYPE if the model has it.',
  })
  @IsOptional()
  @IsIn(DTYPES)
  dtype?: Dtype;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    description:
      'Retrieved chunks less relevant than this are not used to answer; if none is left, the answer is "Not found in the documents" (refused: true). Relevance: the reranker probability when reranked, else the larger of the dense cosine similarity and the share of the question\'s content words in the chunk. Default: ANSWER_MIN_RELEVANCE (0.2).',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minRelevance?: number;

  @ApiPropertyOptional({
    default: false,
    description:
      'Stream server-sent events: `sources` (the numbered sources the answer may cite, and the retrieval), then `token` events ({text}) as the model writes, then `done` (the full response: answer with invalid citations removed, cited sources, usage, timings), or `error`. Closing the connection stops the generation.',
  })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;
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

export class CitationDto extends ChunkPlaceDto {
  @ApiProperty({ description: 'The [n] used in the answer' }) n!: number;
  @ApiProperty() documentId!: string;
  @ApiProperty() chunkId!: number;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty({ description: 'The chunk text cited' }) text!: string;
  @ApiProperty({ description: 'Offset of the chunk in the document' }) start!: number;
  @ApiProperty() end!: number;
  @ApiProperty() score!: number;
}

class UsageDto {
  @ApiProperty() promptTokens!: number;
  @ApiProperty() completionTokens!: number;
}

class AskTimingsDto {
  @ApiProperty() retrieveMs!: number;
  @ApiProperty() generateMs!: number;
  @ApiProperty() totalMs!: number;
}

class AskRetrievalDto {
  @ApiProperty({ enum: MODES }) mode!: string;
  @ApiPropertyOptional() modeReason?: string;
  @ApiProperty({ description: 'Chunks retrieved' }) chunks!: number;
}

class GroundingDto {
  @ApiProperty({ description: "Share of the answer's sentences supported by their sources" })
  support!: number;
  @ApiProperty({ type: [String], description: 'Sentences the sources do not support' })
  unsupported!: string[];
}

export class AskResponseDto {
  @ApiProperty({ example: 'Economy class is allowed for flights under six hours [1].' })
  answer!: string;
  @ApiProperty({ type: [CitationDto] }) citations!: CitationDto[];
  @ApiProperty({ enum: ['generative', 'extractive'] }) mode!: string;
  @ApiPropertyOptional({
    description: 'Why the answer is extractive',
    example: 'generation model X is unavailable: ...',
  })
  modeReason?: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty({ type: AskRetrievalDto }) retrieval!: AskRetrievalDto;
  @ApiProperty({
    type: [Number],
    description: 'Citation numbers with no matching source, removed from the answer',
  })
  invalidCitations!: number[];
  @ApiProperty({
    description:
      'Nothing retrieved was relevant enough (minRelevance), so the answer is "Not found in the documents"',
  })
  refused!: boolean;
  @ApiProperty({
    description:
      'Every sentence of the answer is supported by (shares at least half its content words with) the sources it cites, and it cites at least one. Quoted and refused answers are grounded by construction.',
  })
  grounded!: boolean;
  @ApiPropertyOptional({ type: GroundingDto, description: 'For a generated answer' })
  grounding?: GroundingDto;
  @ApiProperty({ type: UsageDto }) usage!: UsageDto;
  @ApiProperty({ type: AskTimingsDto }) timings!: AskTimingsDto;
}

export class ErrorDetailDto {
  @ApiProperty({ example: 'collection_not_found' }) code!: string;
  @ApiProperty({ example: "Collection 'x' does not exist" }) message!: string;
  @ApiPropertyOptional({ type: Object }) details?: unknown;
}

export class ErrorDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}
