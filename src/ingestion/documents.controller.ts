import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
  ApiExtraModels,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { RequireScope } from '../auth/require-scope.decorator';
import { Upload } from '../auth/upload.decorator';
import { InvalidInputError, PayloadTooLargeError } from '../common/errors';
import { AddsData } from '../storage/storage-room.interceptor';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { Idempotency } from '../idempotency/idempotency.interceptor';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { DocumentReplaceService } from './document-replace.service';
import { DocumentsService } from './documents.service';
import { DEFAULT_JSON_TEXT_FIELDS, SUPPORTED_UPLOAD_TYPES } from './parsers/formats';
import { ocrLanguagesField } from './parsers/ocr/ocr-languages';
import { ParsingService, documentFromParsed } from './parsing.service';
import { UrlIngestionService } from './url-ingestion.service';
import {
  AddDocumentsDto,
  AddUrlDocumentDto,
  DocumentDetailDto,
  DocumentListDto,
  IngestResultDto,
  ListDocumentsQueryDto,
  ReplaceDocumentDto,
  ReplaceResultDto,
  UploadFieldsDto,
} from './dto/document.dto';
import { ErrorDto } from '../http/error.dto';
import { validateBody } from '../http/validate-body';

@ApiTags('documents')
@ApiExtraModels(AddDocumentsDto, AddUrlDocumentDto)
@Controller('v1/collections/:name/documents')
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly replacing: DocumentReplaceService,
    private readonly parsing: ParsingService,
    private readonly urls: UrlIngestionService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Post()
  @RequireScope('write')
  @Upload({ inMemory: true })
  @AddsData() // above @Idempotent(): a retry of a request that succeeded gets its answer, not a 507
  @Idempotent() // above the upload interceptor: the file is read before the request is hashed
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({
    summary: 'Add documents: JSON texts, or one uploaded file (multipart field "file")',
    description: `JSON: {documents: [{id?, title?, text, metadata?}]}, or {url, id?, title?, metadata?, textFields?} to fetch a page or file and parse it like an upload (refused with 403 for loopback, private, link-local and metadata addresses unless URL_FETCH_ALLOW names them; 413 past MAX_FILE_BYTES; 502 when the fetch fails, 504 when it takes longer than URL_FETCH_TIMEOUT_MS). Multipart: field "file" (${SUPPORTED_UPLOAD_TYPES.join(', ')}; the format is chosen by the file's signature and content type, then its extension), optional fields id, title, metadata (JSON text), wait, textFields (JSON files), ocrLangs (OCR languages). Chunks follow the file's headings and carry their section path and, for PDFs, their pages. Images (PNG, JPEG, TIFF, WebP) and PDF pages without a text layer are read by OCR (unless OCR=off), each chunk carrying its pages' ocrConfidence; a file needing OCR of more than OCR_SYNC_MAX_PAGES pages is refused with 413 ocr_needs_job: send it to POST .../jobs. A file with no extractable text (a scan with OCR off), a password-protected or unreadable file is refused with 422. Stored in one transaction; the same id with the same content is left unchanged (status "unchanged"), with different content refused (409).`,
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(AddDocumentsDto) },
        { $ref: getSchemaPath(AddUrlDocumentDto) },
        {
          type: 'object',
          required: ['file'],
          properties: {
            file: { type: 'string', format: 'binary' },
            id: { type: 'string' },
            title: { type: 'string' },
            metadata: { type: 'string', description: 'JSON object as text' },
            wait: { type: 'string', enum: ['true', 'false'] },
            textFields: {
              type: 'string',
              description: `JSON files: comma-separated fields (dot paths for nested ones) whose strings are the text; the other fields become metadata. Default: ${DEFAULT_JSON_TEXT_FIELDS.join(',')}`,
              example: 'abstract,body',
            },
            ocrLangs: {
              type: 'string',
              description:
                'Images and scanned PDF pages: OCR languages joined by + (installed @tesseract.js-data/<code> packages); default OCR_LANGS',
              example: 'eng+fra',
            },
          },
        },
      ],
    },
  })
  @ApiCreatedResponse({ type: IngestResultDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiPayloadTooLargeResponse({
    type: ErrorDto,
    description:
      'payload_too_large, document_too_large, or ocr_needs_job (more pages to OCR than OCR_SYNC_MAX_PAGES: use POST .../jobs)',
  })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorDto })
  @ApiUnprocessableEntityResponse({
    type: ErrorDto,
    description: 'no_extractable_text, encrypted_document or corrupt_document',
  })
  async add(
    @Param('name') name: string,
    @Req() req: Request,
    @Body() body: unknown,
    @Idempotency() idempotency: IdempotencyContext | undefined,
    @UploadedFile() file?: Express.Multer.File,
  ): Promise<IngestResultDto> {
    if (req.is('multipart/form-data')) {
      if (!file) throw new InvalidInputError('Multipart upload needs a file in the field "file"');
      const fields = validateBody(UploadFieldsDto, body ?? {});
      const metadata = fields.metadata === undefined ? {} : parseMetadata(fields.metadata);
      this.documents.assertCollection(name);
      const upload = { data: file.buffer, filename: file.originalname, mimeType: file.mimetype };
      return this.addFile(
        name,
        upload,
        { ...fields, metadata, source: file.originalname },
        fields.wait !== 'false',
        idempotency,
      );
    }
    if (!req.is('application/json')) {
      throw new InvalidInputError('Send application/json or multipart/form-data');
    }
    if (typeof body === 'object' && body !== null && 'url' in body) {
      const dto = validateBody(AddUrlDocumentDto, body);
      this.documents.assertCollection(name);
      const fetched = await this.urls.fetch(dto.url);
      const mimeType = fetched.contentType?.split(';')[0]?.trim() ?? 'application/octet-stream';
      const fileName = fetched.fileName ?? new URL(fetched.url).hostname;
      return this.addFile(
        name,
        { data: fetched.body, filename: fileName, mimeType },
        { ...dto, metadata: { ...dto.metadata, url: fetched.url }, source: fetched.url },
        dto.wait ?? true,
        idempotency,
      );
    }
    const dto = validateBody(AddDocumentsDto, body);
    if (dto.documents.length > this.settings.limits.maxDocumentsPerRequest) {
      throw new PayloadTooLargeError(
        `At most ${this.settings.limits.maxDocumentsPerRequest} documents per request (MAX_DOCUMENTS_PER_REQUEST)`,
      );
    }
    return this.documents.add(
      name,
      dto.documents.map((d) => ({ ...d, contentType: 'text/plain' })),
      dto.wait ?? true,
      idempotency,
    );
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'List documents (paginated)' })
  @ApiOkResponse({ type: DocumentListDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  list(@Param('name') name: string, @Query() query: ListDocumentsQueryDto): DocumentListDto {
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    return { ...this.documents.list(name, limit, offset), limit, offset };
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'A document with its text and chunks' })
  @ApiOkResponse({ type: DocumentDetailDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('name') name: string, @Param('id') id: string): DocumentDetailDto {
    return this.documents.get(name, id);
  }

  @Put(':id')
  @RequireScope('write')
  @Upload()
  @AddsData()
  @ApiOperation({
    summary: 'Create or replace a document atomically',
    description:
      'The new version is chunked and embedded first; then the old version is swapped for it in one transaction and the index updated in the same step, so searches see the old or the new version, never a mix or neither. The same content again is left unchanged.',
  })
  @ApiOkResponse({ type: ReplaceResultDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'Unknown collection' })
  replace(
    @Param('name') name: string,
    @Param('id') id: string,
    @Body() body: ReplaceDocumentDto,
  ): Promise<ReplaceResultDto> {
    if (!/^[^/\p{Cc}]{1,256}$/u.test(id))
      throw new InvalidInputError('id must be 1-256 characters with no "/" or control characters');
    return this.replacing.replace(name, id, { ...body, contentType: 'text/plain' });
  }

  @Delete(':id')
  @RequireScope('write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a document: its chunks, lexical rows and vectors go with it' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorDto })
  delete(@Param('name') name: string, @Param('id') id: string): void {
    this.documents.delete(name, id);
  }

  /** Parses a file (uploaded or fetched) in the parsing worker and adds it as one document. */
  private async addFile(
    name: string,
    file: { data: Buffer; filename: string; mimeType: string },
    fields: {
      id?: string;
      title?: string;
      textFields?: string;
      ocrLangs?: string;
      metadata: Record<string, unknown>;
      source: string;
    },
    wait: boolean,
    idempotency: IdempotencyContext | undefined,
  ): Promise<IngestResultDto> {
    const { ocrLangs, ...rest } = fields;
    const textFields = splitTextFields(fields.textFields);
    const parsed = await this.parsing.parse(file, {
      ...(textFields ? { textFields } : {}),
      ocrLanguages: ocrLanguagesField(ocrLangs),
      synchronous: true,
    });
    return this.documents.add(
      name,
      [
        {
          ...documentFromParsed(parsed, file.filename, fields.source, { ...rest, textFields }),
          original: { data: file.data },
        },
      ],
      wait,
      idempotency,
    );
  }
}

/** "abstract, body" → ['abstract', 'body']; undefined when not given. */
export function splitTextFields(text: string | undefined): string[] | undefined {
  return text
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

export function parseMetadata(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new InvalidInputError('metadata must be the JSON text of an object');
}
