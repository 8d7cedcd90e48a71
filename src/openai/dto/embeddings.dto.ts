import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Max,
  Min,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { DTYPES, type Dtype } from '../../config/settings';
import { IsModelId } from '../../http/validators';

/** Texts per request, as OpenAI allows. */
export const MAX_EMBEDDING_INPUTS = 2048;
/** Characters per text: far above any embedding model's input (the model truncates at its maximum). */
export const MAX_EMBEDDING_CHARS = 100_000;

function IsEmbeddingInput() {
  return ValidateBy({
    name: 'isEmbeddingInput',
    validator: {
      validate: (v: unknown) => {
        const texts = typeof v === 'string' ? [v] : v;
        return (
          Array.isArray(texts) &&
          texts.length >= 1 &&
          texts.length <= MAX_EMBEDDING_INPUTS &&
          texts.every(
            (t) => typeof t === 'string' && t.length > 0 && t.length <= MAX_EMBEDDING_CHARS,
          )
        );
      },
      defaultMessage: (a?: ValidationArguments) =>
        `${a?.property ?? 'input'} must be a non-empty string or an array of 1-${MAX_EMBEDDING_INPUTS} non-empty strings of at most ${MAX_EMBEDDING_CHARS} characters (token arrays are not accepted)`,
    },
  });
}

export class EmbeddingsRequestDto {
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['The cat sat on the mat.'],
  })
  @IsEmbeddingInput()
  input!: string | string[];

  @ApiProperty({
    description: 'Embedding model id (see GET /v1/models)',
    example: 'Xenova/bge-small-en-v1.5',
  })
  @IsString()
  @MaxLength(200)
  @IsModelId('model')
  model!: string;

  @ApiPropertyOptional({
    enum: ['float', 'base64'],
    default: 'float',
    description: 'base64: little-endian float32 bytes',
  })
  @IsOptional()
  @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @ApiPropertyOptional({
    description: "Must equal the model's width if given (no truncation of vectors)",
    minimum: 1,
    maximum: 65536,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65536)
  dimensions?: number;

  @ApiPropertyOptional({ description: 'Accepted and ignored (OpenAI compatibility)' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;

  @ApiPropertyOptional({
    enum: DTYPES,
    description: 'Extension: precision of the model (default: EMBEDDING_DTYPE if the model has it)',
  })
  @IsOptional()
  @IsIn(DTYPES)
  dtype?: Dtype;

  @ApiPropertyOptional({
    enum: ['query', 'passage'],
    default: 'passage',
    description:
      "Extension: which of the model's prefixes to use (e5, bge, nomic and arctic models embed questions and documents differently)",
  })
  @IsOptional()
  @IsIn(['query', 'passage'])
  input_type?: 'query' | 'passage';
}

class EmbeddingDto {
  @ApiProperty({ enum: ['embedding'] }) object!: 'embedding';
  @ApiProperty() index!: number;
  @ApiProperty({ oneOf: [{ type: 'array', items: { type: 'number' } }, { type: 'string' }] })
  embedding!: number[] | string;
}

class EmbeddingsUsageDto {
  @ApiProperty() prompt_tokens!: number;
  @ApiProperty() total_tokens!: number;
}

export class EmbeddingsResponseDto {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [EmbeddingDto] }) data!: EmbeddingDto[];
  @ApiProperty() model!: string;
  @ApiProperty({ type: EmbeddingsUsageDto }) usage!: EmbeddingsUsageDto;
}
