import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { JOB_STATES } from '../../database/jobs.repository';
import { OCR_LANGUAGES_MESSAGE, OCR_LANGUAGES_TEXT } from '../parsers/ocr/ocr-languages';
import { AddUrlDocumentDto, DocumentInputDto, PageQueryDto } from '../dto/document.dto';

export class JobUrlDto extends OmitType(AddUrlDocumentDto, ['wait'] as const) {}

export class CreateJobDto {
  @ApiPropertyOptional({
    type: [DocumentInputDto],
    description: 'Texts to add, as in POST .../documents',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsObject({ each: true }) // a nested array would pass ValidateNested unchecked
  @ValidateNested({ each: true })
  @Type(() => DocumentInputDto)
  documents?: DocumentInputDto[];

  @ApiPropertyOptional({
    type: [JobUrlDto],
    description: 'Pages or files to fetch and parse, with the limits of POST .../documents {url}',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsObject({ each: true }) // a nested array would pass ValidateNested unchecked
  @ValidateNested({ each: true })
  @Type(() => JobUrlDto)
  urls?: JobUrlDto[];
}

/** Text fields that may accompany the files of a multipart job. */
export class JobUploadFieldsDto {
  /** JSON text of an object, stored with every file's document. */
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  metadata?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(/^\s*[^,\s]+(\s*,\s*[^,\s]+)*\s*$/, {
    message: 'textFields must be field names separated by commas',
  })
  textFields?: string;

  @IsOptional()
  @Matches(/^(true|false)$/, { message: 'idFromFilename must be "true" or "false"' })
  idFromFilename?: string;

  /** JSON text of an object from file name to metadata, merged over `metadata` for that file. */
  @IsOptional()
  @IsString()
  @MaxLength(1024 * 1024)
  fileMetadata?: string;

  /** Images and scanned PDF pages: OCR languages joined by + (default OCR_LANGS). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(OCR_LANGUAGES_TEXT, { message: OCR_LANGUAGES_MESSAGE })
  ocrLangs?: string;

  /** JSON text of an array of URLs to fetch in the same job, after the files. */
  @IsOptional()
  @IsString()
  @MaxLength(65536)
  urls?: string;
}

export class JobItemsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: (typeof JOB_STATES)[number];
}

export class ListJobsQueryDto extends JobItemsQueryDto {
  @ApiPropertyOptional({ description: 'Only the jobs of this collection' })
  @IsOptional()
  @IsString()
  collection?: string;
}

class JobItemCountsDto {
  @ApiProperty() total!: number;
  @ApiProperty() queued!: number;
  @ApiProperty({ description: 'being parsed or chunked' }) running!: number;
  @ApiProperty({ description: 'stored, found lexically, waiting for vectors' }) embedding!: number;
  @ApiProperty() done!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() cancelled!: number;
}

class JobChunksDto {
  @ApiProperty() total!: number;
  @ApiProperty() embedded!: number;
}

class JobOcrProgressDto {
  @ApiProperty({ description: 'pages of the item read by OCR so far', example: 4 })
  pagesDone!: number;
  @ApiProperty({ description: 'pages of the item to read by OCR', example: 20 }) pages!: number;
}

class JobCurrentDto {
  @ApiProperty() ordinal!: number;
  @ApiProperty({ type: String, nullable: true }) source!: string | null;
  @ApiProperty({ enum: ['parsing', 'chunking'] }) stage!: string;
  @ApiPropertyOptional({
    type: JobOcrProgressDto,
    description: 'A scanned PDF or an image being read by OCR: its progress, a page at a time',
  })
  ocr?: JobOcrProgressDto;
}

class JobTimingsDto {
  @ApiProperty({ description: 'waiting in the queue' }) queuedMs!: number;
  @ApiProperty({ description: 'from its start to its end (or now)' }) elapsedMs!: number;
  @ApiProperty({ description: 'parsing, summed over items (includes fetching URLs)' })
  parseMs!: number;
  @ApiProperty() chunkMs!: number;
  @ApiProperty({ description: 'SQLite transactions storing documents, chunks and lexical rows' })
  storeMs!: number;
  @ApiProperty({
    description:
      "the embedding model's time on the collection's passages while the job ran; overlaps the other stages",
  })
  embedMs!: number;
}

class JobItemErrorDto {
  @ApiProperty() ordinal!: number;
  @ApiProperty({ type: String, nullable: true }) source!: string | null;
  @ApiProperty() documentId!: string;
  @ApiProperty({ enum: ['parsing', 'chunking', 'storing'] }) stage!: string;
  @ApiProperty({ example: 'no_extractable_text' }) code!: string;
  @ApiProperty() message!: string;
}

export class JobDto {
  @ApiProperty() id!: string;
  @ApiProperty() collection!: string;
  @ApiProperty({ enum: JOB_STATES }) state!: string;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: JobItemCountsDto }) items!: JobItemCountsDto;
  @ApiProperty({ type: JobChunksDto }) chunks!: JobChunksDto;
  @ApiProperty({ description: 'items ended over all items, 0 to 1' }) progress!: number;
  @ApiProperty({ type: JobCurrentDto, nullable: true }) current!: JobCurrentDto | null;
  @ApiProperty({ type: JobTimingsDto }) timings!: JobTimingsDto;
  @ApiProperty({ type: [JobItemErrorDto], description: 'failed items (the first 100)' })
  errors!: JobItemErrorDto[];
}

export class JobAcceptedDto extends JobDto {
  @ApiProperty({
    description: 'the same as id: follow it with GET /v1/jobs/{jobId} or /v1/jobs/{jobId}/events',
  })
  jobId!: string;
}

export class JobListDto {
  @ApiProperty({ type: [JobDto] }) items!: JobDto[];
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

class JobItemErrorDetailDto {
  @ApiProperty() stage!: string;
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
}

class JobItemTimingsDto {
  @ApiProperty({ type: Number, nullable: true }) parseMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) chunkMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) storeMs!: number | null;
}

export class JobItemDto {
  @ApiProperty() ordinal!: number;
  @ApiProperty({ enum: ['file', 'text', 'url'] }) kind!: string;
  @ApiProperty() documentId!: string;
  @ApiProperty({ type: String, nullable: true }) source!: string | null;
  @ApiProperty({ type: String, nullable: true }) contentType!: string | null;
  @ApiProperty() bytes!: number;
  @ApiProperty({ enum: JOB_STATES }) state!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['created', 'unchanged'] }) outcome!:
    string | null;
  @ApiProperty({ type: Number, nullable: true }) chunks!: number | null;
  @ApiProperty({ type: JobItemErrorDetailDto, nullable: true })
  error!: JobItemErrorDetailDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'why a done item still has chunks without vectors',
  })
  note!: string | null;
  @ApiProperty({ type: JobItemTimingsDto }) timings!: JobItemTimingsDto;
  @ApiProperty({ type: String, nullable: true }) storedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) finishedAt!: string | null;
}

export class JobItemListDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [JobItemDto] }) items!: JobItemDto[];
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
