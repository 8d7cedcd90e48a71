import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ChunkReadPlaceDto } from '../../http/dto/chunk-place.dto';
import { IsJsonObject } from '../../http/validators';
import { OCR_LANGUAGES_MESSAGE, OCR_LANGUAGES_TEXT } from '../parsers/ocr/ocr-languages';

const ID_PATTERN = /^[^/\p{Cc}]{1,256}$/u;
const ID_MESSAGE = 'id must be 1-256 characters with no "/" or control characters';

export class DocumentInputDto {
  @ApiPropertyOptional({
    description:
      'Your id for the document (default: a new UUID). Posting the same id and content again changes nothing.',
    example: 'policy-2026',
  })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  id?: string;

  @ApiPropertyOptional({ example: 'Travel policy' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  title?: string;

  @ApiProperty({
    description: 'The document text (not blank).',
    example: 'Employees may book economy class for flights under six hours.',
  })
  @IsString()
  @IsNotEmpty()
  text!: string;

  @ApiPropertyOptional({
    description: 'JSON object stored with the document; search filters match its top-level keys.',
    example: { department: 'finance', year: 2026 },
  })
  @IsOptional()
  @IsJsonObject(65536)
  metadata?: Record<string, unknown>;
}

export class ReplaceDocumentDto {
  @ApiPropertyOptional({ example: 'Travel policy (2027)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  title?: string;

  @ApiProperty({
    description: 'The new text (not blank).',
    example: 'Employees may book economy class for flights under five hours.',
  })
  @IsString()
  @IsNotEmpty()
  text!: string;

  @ApiPropertyOptional({
    description: 'Replaces the metadata.',
    example: { department: 'finance', year: 2027 },
  })
  @IsOptional()
  @IsJsonObject(65536)
  metadata?: Record<string, unknown>;
}

export class ReplaceResultDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['created', 'replaced', 'unchanged'] }) status!: string;
  @ApiProperty() chunks!: number;
  @ApiProperty({
    description:
      'Chunks of the new version waiting for the embedding model (found lexically meanwhile)',
  })
  pendingChunks!: number;
}

export class AddDocumentsDto {
  @ApiProperty({ type: [DocumentInputDto], minItems: 1 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100_000)
  @IsObject({ each: true }) // a nested array would pass ValidateNested unchecked
  @ValidateNested({ each: true })
  @Type(() => DocumentInputDto)
  documents!: DocumentInputDto[];

  @ApiPropertyOptional({
    description:
      'Wait until the chunks are embedded before answering (when the model is available). Default true.',
    default: true,
  })
  @IsOptional()
  @IsBoolean()
  wait?: boolean;
}

/** A document to fetch by URL and parse like an upload. */
export class AddUrlDocumentDto {
  @ApiProperty({
    description:
      'http(s) URL of a page or file, fetched by the server: at most MAX_FILE_BYTES, URL_FETCH_TIMEOUT_MS and URL_FETCH_MAX_REDIRECTS; loopback, private, link-local and metadata addresses are refused unless URL_FETCH_ALLOW names them',
    example: 'https://example.com/handbook.html',
  })
  @IsString()
  @MaxLength(4096)
  url!: string;

  @ApiPropertyOptional({ description: 'Document id; default a new UUID' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  id?: string;

  @ApiPropertyOptional({ description: "Default: the page's title or file name" })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  title?: string;

  @ApiPropertyOptional({ type: Object })
  @IsOptional()
  @IsJsonObject(65536)
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'JSON files: comma-separated fields whose strings are the text',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(/^\s*[^,\s]+(\s*,\s*[^,\s]+)*\s*$/, {
    message: 'textFields must be field names separated by commas',
  })
  textFields?: string;

  @ApiPropertyOptional({
    description:
      'Images and scanned PDF pages: the OCR languages, tesseract codes joined by + (each an installed @tesseract.js-data/<code> package); default OCR_LANGS',
    example: 'eng+fra',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(OCR_LANGUAGES_TEXT, { message: OCR_LANGUAGES_MESSAGE })
  ocrLangs?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  wait?: boolean;
}

/** Text fields that may accompany a multipart upload. */
export class UploadFieldsDto {
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  title?: string;

  /** JSON text of an object. */
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  metadata?: string;

  @IsOptional()
  @Matches(/^(true|false)$/, { message: 'wait must be "true" or "false"' })
  wait?: string;

  /** JSON uploads: comma-separated fields (dot paths for nested ones) whose strings are the text. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(/^\s*[^,\s]+(\s*,\s*[^,\s]+)*\s*$/, {
    message: 'textFields must be field names separated by commas',
  })
  textFields?: string;

  /** Images and scanned PDF pages: OCR languages joined by + (default OCR_LANGS). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(OCR_LANGUAGES_TEXT, { message: OCR_LANGUAGES_MESSAGE })
  ocrLangs?: string;
}

/** ?limit=&offset= of the listing routes. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000_000, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  offset?: number;
}

export class ListDocumentsQueryDto extends PageQueryDto {}

export class IngestedDocumentDto {
  @ApiProperty({ example: 'policy-2026' }) id!: string;
  @ApiProperty({ example: 3 }) chunks!: number;
  @ApiProperty({ enum: ['created', 'unchanged'] }) status!: string;
}

export class EmbeddingOutcomeDto {
  @ApiProperty({
    enum: ['done', 'pending'],
    description: 'done: every chunk has a vector; pending: some wait for the embedding model',
  })
  state!: string;
  @ApiProperty({ example: 0 }) pendingChunks!: number;
  @ApiPropertyOptional({
    example: 'embedding model Xenova/bge-small-en-v1.5: unavailable: not found in MODELS_DIR',
  })
  reason?: string;
  @ApiProperty({
    description: 'What measured chunk sizes: the model tokenizer id, or "estimate"',
    example: 'Xenova/bge-small-en-v1.5',
  })
  tokenCounter!: string;
}

export class IngestResultDto {
  @ApiProperty({ type: [IngestedDocumentDto] }) documents!: IngestedDocumentDto[];
  @ApiProperty({ type: EmbeddingOutcomeDto }) embedding!: EmbeddingOutcomeDto;
}

export class ChunkDto extends ChunkReadPlaceDto {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 0 }) ordinal!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'Character offset of the chunk in the document text', example: 0 })
  start!: number;
  @ApiProperty({ description: 'End offset (exclusive)', example: 412 }) end!: number;
  @ApiProperty({ example: 96 }) tokenCount!: number;
  @ApiProperty({
    description:
      'What measured tokenCount: the embedding tokenizer id, or "estimate" while it was unavailable (re-chunked before embedding)',
    example: 'Xenova/bge-small-en-v1.5',
  })
  tokenCounter!: string;
  @ApiProperty() embedded!: boolean;
}

export class DocumentSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty({ nullable: true, type: String }) source!: string | null;
  @ApiProperty({ example: 'text/plain' }) contentType!: string;
  @ApiProperty({ description: 'sha256 of text, title and metadata' }) contentHash!: string;
  @ApiProperty({ type: Object }) metadata!: Record<string, unknown>;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class DocumentListItemDto extends DocumentSummaryDto {
  @ApiProperty() chunks!: number;
  @ApiProperty() characters!: number;
}

export class DocumentListDto {
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: [DocumentListItemDto] }) items!: DocumentListItemDto[];
}

export class DocumentDetailDto extends DocumentSummaryDto {
  @ApiProperty() text!: string;
  @ApiProperty({ type: [ChunkDto] }) chunks!: ChunkDto[];
}
