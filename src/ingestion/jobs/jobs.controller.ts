import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import * as fs from 'node:fs';
import multer from 'multer';
import { RequireScope } from '../../auth/require-scope.decorator';
import { Upload } from '../../auth/upload.decorator';
import { InvalidInputError, PayloadTooLargeError } from '../../common/errors';
import { SseStream } from '../../http/sse';
import { AddsData } from '../../storage/storage-room.interceptor';
import type { Settings } from '../../config/settings';
import { SETTINGS } from '../../config/settings.provider';
import { ENDED } from '../../database/jobs.repository';
import { DEFAULT_JSON_TEXT_FIELDS } from '../parsers/formats';
import { ocrLanguagesField } from '../parsers/ocr/ocr-languages';
import type { JobInput } from './job-input';
import type { JobView } from './job-views';
import { JobsService } from './jobs.service';
import { parseMetadata, splitTextFields } from '../documents.controller';
import { ErrorDto } from '../../http/error.dto';
import {
  CreateJobDto,
  JobAcceptedDto,
  JobDto,
  JobItemListDto,
  JobItemsQueryDto,
  JobListDto,
  JobUploadFieldsDto,
  ListJobsQueryDto,
} from './job.dto';
import { validateBody } from '../../http/validate-body';
import { fileMetadataOf, multerError, parseUrls } from './job-upload-fields';

/** What a document id may be (as in POST .../documents). */
const DOCUMENT_ID = /^[^/\p{Cc}]{1,256}$/u;
/** A comment line on an idle event stream, so proxies and clients keep it open. */
const HEARTBEAT_MS = 15_000;

@ApiTags('jobs')
@Controller('v1')
@ApiExtraModels(CreateJobDto)
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Post('collections/:name/jobs')
  @RequireScope('write')
  @Upload()
  @HttpCode(202)
  @AddsData()
  @ApiOperation({
    summary: 'Ingest a batch in the background: files, texts or URLs; answered 202 with the job',
    description: `Multipart: any number of fields "files" (up to JOB_MAX_FILES, each up to JOB_MAX_FILE_BYTES, together up to JOB_MAX_REQUEST_BYTES; streamed to disk, never held in memory), with optional fields metadata (JSON text, stored with every file's document), fileMetadata (JSON text: {"<file name>": {...}}, merged over metadata for that file; ragd index stores each file's path and sha256 so), textFields (JSON files; default ${DEFAULT_JSON_TEXT_FIELDS.join(',')}), ocrLangs (OCR languages of images and scanned pages, e.g. eng+fra; default OCR_LANGS), idFromFilename ("true": the file name is the document id, so sending the same files again changes nothing) and urls (a JSON array of URLs fetched in the same job, after the files). JSON: {documents?: [{id?, title?, text, metadata?}], urls?: [{url, id?, title?, metadata?, textFields?, ocrLangs?}]}. Scanned PDFs and images of any number of pages (up to OCR_MAX_PAGES) are read by OCR here (a synchronous upload takes at most OCR_SYNC_MAX_PAGES), with their progress in current.ocr. The inputs are written to disk and the job to SQLite before the answer: an acknowledged job survives a restart and resumes where it was. Items run one at a time (parse, chunk, store) while their chunks are embedded; a file that fails, fails alone, with its stage and reason. Follow it with GET /v1/jobs/{id} or its events.`,
  })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'object',
          required: ['files'],
          properties: {
            files: { type: 'array', items: { type: 'string', format: 'binary' } },
            metadata: { type: 'string', description: 'JSON object as text' },
            fileMetadata: {
              type: 'string',
              description: 'JSON object as text: file name -> metadata of that file',
            },
            textFields: { type: 'string', example: 'abstract,body' },
            ocrLangs: { type: 'string', example: 'eng+fra' },
            idFromFilename: { type: 'string', enum: ['true', 'false'] },
            urls: {
              type: 'string',
              description: 'JSON array of URLs fetched in the same job, after the files',
              example: '["https://example.com/handbook.html"]',
            },
          },
        },
        { $ref: getSchemaPath(CreateJobDto) },
      ],
    },
  })
  @ApiAcceptedResponse({
    type: JobAcceptedDto,
    headers: { Location: { description: '/v1/jobs/{id}', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiPayloadTooLargeResponse({
    type: ErrorDto,
    description:
      'a file past JOB_MAX_FILE_BYTES, the request past JOB_MAX_REQUEST_BYTES, or more than JOB_MAX_FILES files',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorDto,
    description: 'JOB_QUEUE_LIMIT jobs are waiting or running; Retry-After says when to try again',
  })
  async create(
    @Param('name') name: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: unknown,
  ): Promise<JobAcceptedDto> {
    const accepted = (job: JobView): JobAcceptedDto => {
      res.setHeader('Location', `/v1/jobs/${job.id}`);
      return { jobId: job.id, ...job };
    };
    if (req.is('multipart/form-data')) {
      this.jobs.admit(name); // 404 or 429 before a large upload is read
      const inputs = await this.receiveFiles(req, res);
      try {
        return accepted(await this.jobs.create(name, inputs));
      } catch (e) {
        for (const input of inputs)
          if (input.kind === 'file') fs.rm(input.uploaded, { force: true }, () => undefined);
        throw e;
      }
    }
    if (!req.is('application/json'))
      throw new InvalidInputError(
        'Send multipart/form-data (files) or application/json (documents, urls)',
      );
    const dto = validateBody(CreateJobDto, body);
    const count = (dto.documents?.length ?? 0) + (dto.urls?.length ?? 0);
    if (count === 0) throw new InvalidInputError('Give at least one document or URL');
    if (count > this.settings.limits.maxDocumentsPerRequest) {
      throw new PayloadTooLargeError(
        `At most ${this.settings.limits.maxDocumentsPerRequest} documents and URLs per request (MAX_DOCUMENTS_PER_REQUEST)`,
      );
    }
    const inputs: JobInput[] = [
      ...(dto.documents ?? []).map((d): JobInput => ({
        kind: 'text',
        document: { ...d, contentType: 'text/plain' },
      })),
      ...(dto.urls ?? []).map(({ url, textFields, ocrLangs, ...fields }): JobInput => ({
        kind: 'url',
        url,
        fields: {
          ...fields,
          textFields: splitTextFields(textFields),
          ocrLangs: ocrLanguagesField(ocrLangs),
        },
      })),
    ];
    return accepted(await this.jobs.create(name, inputs));
  }

  @Get('jobs')
  @RequireScope('read', { query: 'collection' })
  @ApiOperation({ summary: 'Ingestion jobs, newest first' })
  @ApiOkResponse({ type: JobListDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'the collection named does not exist' })
  list(@Query() query: ListJobsQueryDto): JobListDto {
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    return {
      items: this.jobs.list({ collection: query.collection, state: query.state }, limit, offset),
      limit,
      offset,
    };
  }

  @Get('jobs/:id')
  @RequireScope('read', { job: 'id' })
  @ApiOperation({
    summary:
      'A job: state, counts, current item, timings and the items that failed (with their stage)',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): JobDto {
    return this.jobs.view(id);
  }

  @Get('jobs/:id/items')
  @RequireScope('read', { job: 'id' })
  @ApiOperation({
    summary: "A job's items: document id, state, outcome, chunks, error and timings of each",
  })
  @ApiOkResponse({ type: JobItemListDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  items(@Param('id') id: string, @Query() query: JobItemsQueryDto): JobItemListDto {
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    return { ...this.jobs.items(id, query.state, limit, offset), limit, offset };
  }

  @Get('jobs/:id/events')
  @RequireScope('read', { job: 'id' })
  @ApiOperation({
    summary: "A job's progress as server-sent events",
    description:
      'event `progress` with the job (as GET /v1/jobs/{id}) at once and on every change (at most 4 a second), then `end` with the job when it is done, failed or cancelled, and the stream closes. A comment line every 15 s keeps an idle stream open.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream' })
  @ApiNotFoundResponse({ type: ErrorDto })
  events(@Param('id') id: string, @Res() res: Response): void {
    const first = this.jobs.view(id); // a 404 before the stream starts is an ordinary JSON error
    const sse = new SseStream(res);
    const send = (view: JobView) => {
      const ended = ENDED.includes(view.state);
      sse.send(ended ? 'end' : 'progress', view);
      if (ended) close();
    };
    const heartbeat = setInterval(() => sse.comment('keep-alive'), HEARTBEAT_MS);
    const unsubscribe = this.jobs.watch(id, send);
    const close = () => {
      clearInterval(heartbeat);
      unsubscribe();
      sse.end();
    };
    res.on('close', close);
    send(first);
  }

  @Delete('jobs/:id')
  @RequireScope('write', { job: 'id' })
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      'Items not yet stored are cancelled (one being parsed is dropped before it is stored); documents already stored stay and are embedded. Delete them as usual if unwanted.',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'the job has already ended' })
  cancel(@Param('id') id: string): JobDto {
    return this.jobs.cancel(id);
  }

  /** Streams the files of a multipart job into the spool's incoming folder, with the job limits. */
  private async receiveFiles(req: Request, res: Response): Promise<JobInput[]> {
    const limits = this.settings.jobs;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxRequestBytes) {
      throw new PayloadTooLargeError(
        `The upload is larger than ${limits.maxRequestBytes} bytes (JOB_MAX_REQUEST_BYTES)`,
        { limit: limits.maxRequestBytes },
      );
    }
    const upload = multer({
      storage: this.jobs.spool.uploads(limits.maxRequestBytes),
      limits: {
        fileSize: limits.maxFileBytes,
        files: limits.maxFiles,
        fields: 20,
        fieldSize: 1024 * 1024, // fileMetadata: a line of metadata per file
      },
    }).array('files', limits.maxFiles);
    await new Promise<void>((resolve, reject) =>
      upload(req, res, (e: unknown) => (e ? reject(multerError(e, limits)) : resolve())),
    );
    const files = (req.files ?? []) as Express.Multer.File[];
    try {
      return this.fileInputs(files, req.body as unknown);
    } catch (e) {
      for (const f of files) fs.rm(f.path, { force: true }, () => undefined);
      throw e;
    }
  }

  private fileInputs(files: readonly Express.Multer.File[], body: unknown): JobInput[] {
    if (typeof body === 'object' && body !== null && 'files' in body) {
      throw new InvalidInputError(
        '"files" must be file parts, not text fields (curl: -F files=@path)',
      );
    }
    const fields = validateBody(JobUploadFieldsDto, body ?? {});
    const urls = fields.urls === undefined ? [] : parseUrls(fields.urls);
    if (urls.length > this.settings.limits.maxDocumentsPerRequest)
      throw new PayloadTooLargeError(
        `At most ${this.settings.limits.maxDocumentsPerRequest} URLs per request (MAX_DOCUMENTS_PER_REQUEST)`,
      );
    if (files.length === 0 && urls.length === 0)
      throw new InvalidInputError(
        'A multipart job needs at least one file in the field "files" (or URLs in "urls")',
      );
    const metadata = fields.metadata === undefined ? undefined : parseMetadata(fields.metadata);
    const perFile = fileMetadataOf(fields.fileMetadata);
    const textFields = splitTextFields(fields.textFields);
    const ocrLangs = ocrLanguagesField(fields.ocrLangs);
    if (fields.idFromFilename === 'true') {
      const bad = files.find((f) => !DOCUMENT_ID.test(f.originalname));
      if (bad)
        throw new InvalidInputError(
          `idFromFilename: '${bad.originalname}' cannot be a document id (1-256 characters, no "/" or control characters)`,
        );
    }
    const fileInputs = files.map((f): JobInput => ({
      kind: 'file',
      uploaded: f.path,
      filename: f.originalname,
      mimeType: f.mimetype,
      bytes: f.size,
      fields: {
        ...(fields.idFromFilename === 'true' ? { id: f.originalname } : {}),
        metadata: perFile[f.originalname] ? { ...metadata, ...perFile[f.originalname] } : metadata,
        textFields,
        ocrLangs,
      },
    }));
    return [
      ...fileInputs,
      ...urls.map((url): JobInput => ({
        kind: 'url',
        url,
        fields: { metadata, textFields, ocrLangs },
      })),
    ];
  }
}
