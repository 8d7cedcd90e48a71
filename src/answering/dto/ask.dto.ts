import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DTYPES, type Dtype } from '../../config/settings';
import { IsModelId } from '../../http/validators';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ChunkPlaceDto } from '../../http/dto/chunk-place.dto';
import { MODES, RetrievalOptionsDto } from '../../retrieval/dto/search.dto';

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
