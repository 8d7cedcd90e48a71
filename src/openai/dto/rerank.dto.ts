import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { DTYPES, type Dtype } from '../../config/settings';
import { IsModelId } from '../../http/validators';

/** Documents per request (Cohere allows 1000). */
export const MAX_RERANK_DOCUMENTS = 1000;
/** Characters per document or query: far above a cross-encoder's input (texts are cut to it). */
export const MAX_RERANK_CHARS = 100_000;

const textOf = (d: unknown): unknown =>
  typeof d === 'object' && d !== null ? (d as { text?: unknown }).text : d;

function IsRerankDocuments() {
  return ValidateBy({
    name: 'isRerankDocuments',
    validator: {
      validate: (v: unknown) =>
        Array.isArray(v) &&
        v.length >= 1 &&
        v.length <= MAX_RERANK_DOCUMENTS &&
        v.every((d) => {
          const t = textOf(d);
          return typeof t === 'string' && t.length <= MAX_RERANK_CHARS;
        }),
      defaultMessage: (a?: ValidationArguments) =>
        `${a?.property ?? 'documents'} must be an array of 1-${MAX_RERANK_DOCUMENTS} strings (or {text} objects) of at most ${MAX_RERANK_CHARS} characters`,
    },
  });
}

export class RerankRequestDto {
  @ApiProperty({
    description: 'Reranking model id (see GET /v1/models)',
    example: 'Xenova/ms-marco-MiniLM-L-6-v2',
  })
  @IsString()
  @MaxLength(200)
  @IsModelId('model')
  model!: string;

  @ApiProperty({ example: 'How do taxis get paid?' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_RERANK_CHARS)
  query!: string;

  @ApiProperty({
    oneOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'array', items: { type: 'object', properties: { text: { type: 'string' } } } },
    ],
    example: ['Fares are paid by card or cash.', 'The museum opens at nine.'],
  })
  @IsRerankDocuments()
  documents!: (string | { text: string })[];

  @ApiPropertyOptional({ description: 'Return the best top_n only (default: all)', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  top_n?: number;

  @ApiPropertyOptional({
    default: false,
    description: "Include each document's text in its result",
  })
  @IsOptional()
  @IsBoolean()
  return_documents?: boolean;

  @ApiPropertyOptional({
    enum: DTYPES,
    description: 'Extension: precision of the model (default: RERANK_DTYPE)',
  })
  @IsOptional()
  @IsIn(DTYPES)
  dtype?: Dtype;
}

class RerankResultDto {
  @ApiProperty({ description: 'Position of the document in the request' }) index!: number;
  @ApiProperty({
    description: 'Relevance 0-1 (the sigmoid of the cross-encoder logit)',
    example: 0.93,
  })
  relevance_score!: number;
  @ApiPropertyOptional({ description: 'With return_documents' }) document?: { text: string };
}

export class RerankResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() model!: string;
  @ApiProperty({ type: [RerankResultDto], description: 'Most relevant first' })
  results!: RerankResultDto[];
}

export function documentText(d: string | { text: string }): string {
  return typeof d === 'string' ? d : d.text;
}
