import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
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
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { DTYPES, type Dtype } from '../../config/settings';
import { IsModelId } from '../../http/validators';

export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant'] as const;
const MAX_MESSAGE_CHARS = 100_000;

/** A message's content: a string, or OpenAI's array of text parts. */
function IsChatContent() {
  return ValidateBy({
    name: 'isChatContent',
    validator: {
      validate: (v: unknown) =>
        (typeof v === 'string' && v.length <= MAX_MESSAGE_CHARS) ||
        (Array.isArray(v) &&
          v.length > 0 &&
          v.every(
            (p) =>
              typeof p === 'object' &&
              p !== null &&
              (p as { type?: unknown }).type === 'text' &&
              typeof (p as { text?: unknown }).text === 'string',
          )),
      defaultMessage: () =>
        `content must be a string of at most ${MAX_MESSAGE_CHARS} characters or an array of {type: "text", text} parts (images and audio are not supported)`,
    },
  });
}

export class ChatMessageDto {
  @ApiProperty({ enum: CHAT_ROLES })
  @IsIn(CHAT_ROLES)
  role!: (typeof CHAT_ROLES)[number];

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
    example: 'What does the handbook say about taxis?',
  })
  @IsChatContent()
  content!: string | { type: 'text'; text: string }[];

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  name?: string;
}

class StreamOptionsDto {
  @ApiPropertyOptional({ description: 'Send a last chunk with the usage' })
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

export class ChatCompletionRequestDto {
  @ApiProperty({
    description: 'Generation model id (see GET /v1/models)',
    example: 'onnx-community/Qwen2.5-0.5B-Instruct',
  })
  @IsString()
  @MaxLength(200)
  @IsModelId('model')
  model!: string;

  @ApiProperty({ type: [ChatMessageDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsObject({ each: true }) // a nested array would pass ValidateNested unchecked
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ type: StreamOptionsDto })
  @IsOptional()
  @IsObject() // an array would pass ValidateNested unchecked
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 8192, description: 'Default: GENERATION_MAX_TOKENS' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8192)
  max_tokens?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 8192,
    description: 'Same as max_tokens (the newer name)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8192)
  max_completion_tokens?: number;

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

  @ApiPropertyOptional({ minimum: 1, maximum: 1, description: 'Only 1 choice is made' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1)
  n?: number;

  @ApiPropertyOptional({ description: 'Accepted and ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;

  @ApiPropertyOptional({
    enum: DTYPES,
    description:
      'Extension: precision of the model (default: GENERATION_DTYPE if the model has it)',
  })
  @IsOptional()
  @IsIn(DTYPES)
  dtype?: Dtype;

  @ApiPropertyOptional({
    description:
      'Extension: answer from this collection. The last user message is the question; the answer cites numbered sources [n], returned in `sources` (and on the first chunk when streaming).',
    example: 'handbook',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'collection must be a collection name' })
  collection?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 50,
    default: 5,
    description: 'Extension, with collection: chunks retrieved as context',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  top_k?: number;
}
