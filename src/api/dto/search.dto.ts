import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsScalarMap } from './validators';

const MODES = ['dense', 'lexical', 'hybrid'] as const;

export class SearchDto {
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
    enum: MODES,
    description: 'Default: hybrid (reciprocal rank fusion of dense and lexical) when the collection has vectors and its model is available, else lexical.',
  })
  @IsOptional()
  @IsIn(MODES)
  mode?: (typeof MODES)[number];

  @ApiPropertyOptional({ description: 'Document metadata that must match exactly, key: value.', example: { department: 'finance' } })
  @IsOptional()
  @IsScalarMap()
  filter?: Record<string, string | number | boolean>;
}

export class AskDto {
  @ApiProperty({ example: 'How long can flights be in economy?', maxLength: 4000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  question!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 5, description: 'Chunks retrieved as context' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  topK?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 8192, description: 'Most tokens to generate. Default: GENERATION_MAX_TOKENS.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8192)
  maxTokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2, default: 0, description: '0 is greedy (deterministic)' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ enum: MODES, description: 'Retrieval mode; default as for search.' })
  @IsOptional()
  @IsIn(MODES)
  mode?: (typeof MODES)[number];

  @ApiPropertyOptional({ example: { department: 'finance' } })
  @IsOptional()
  @IsScalarMap()
  filter?: Record<string, string | number | boolean>;
}

export class TimingsDto {
  @ApiProperty({ description: 'Query embedding' }) embedMs!: number;
  @ApiProperty({ description: 'Index and FTS5 lookups and fusion' }) searchMs!: number;
  @ApiProperty() totalMs!: number;
}

export class SearchHitDto {
  @ApiProperty() documentId!: string;
  @ApiProperty() chunkId!: number;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'dense: cosine similarity; lexical: BM25 (higher is better); hybrid: RRF score' }) score!: number;
  @ApiProperty({ description: 'Character offset of the chunk in its document' }) start!: number;
  @ApiProperty() end!: number;
  @ApiProperty() ordinal!: number;
  @ApiProperty({ type: Object }) metadata!: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'hybrid only: 1-based rank in the dense and lexical lists', example: { dense: 1, lexical: 3 } })
  ranks?: { dense?: number; lexical?: number };
}

export class SearchResponseDto {
  @ApiProperty({ type: [SearchHitDto] }) results!: SearchHitDto[];
  @ApiProperty({ enum: MODES }) mode!: string;
  @ApiPropertyOptional({ description: 'Why this mode, or what it cannot see', example: 'lexical only: embedding model X is unavailable: ...' }) modeReason?: string;
  @ApiProperty({ type: TimingsDto }) timings!: TimingsDto;
}

export class CitationDto {
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

export class AskResponseDto {
  @ApiProperty({ example: 'Economy class is allowed for flights under six hours [1].' }) answer!: string;
  @ApiProperty({ type: [CitationDto] }) citations!: CitationDto[];
  @ApiProperty({ enum: ['generative', 'extractive'] }) mode!: string;
  @ApiPropertyOptional({ description: 'Why the answer is extractive', example: 'generation model X is unavailable: ...' }) modeReason?: string;
  @ApiProperty({ nullable: true, type: String }) model!: string | null;
  @ApiProperty({ type: AskRetrievalDto }) retrieval!: AskRetrievalDto;
  @ApiProperty({ type: [Number], description: 'Citation numbers with no matching source, removed from the answer' }) invalidCitations!: number[];
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
