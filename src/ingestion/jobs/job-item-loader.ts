import { Injectable } from '@nestjs/common';
import type { JobItemRow, JobRow } from '../../database/jobs.repository';
import type { IncomingDocument } from '../incoming-document';
import {
  FileFields,
  OcrProgress,
  ParseRequestOptions,
  ParsingService,
  documentFromParsed,
} from '../parsing.service';
import { UrlIngestionService } from '../url-ingestion.service';
import { JobSpool } from './job-spool';

/** A job item's document: a spooled file parsed in the worker, a spooled text, or a URL fetched and parsed. */
@Injectable()
export class JobItemLoader {
  constructor(
    private readonly spool: JobSpool,
    private readonly parsing: ParsingService,
    private readonly urls: UrlIngestionService,
  ) {}

  /** `onProgress`: pages read by OCR so far, as the parser reads them. */
  async load(
    job: JobRow,
    item: JobItemRow,
    onProgress?: (progress: OcrProgress) => void,
  ): Promise<IncomingDocument> {
    const fields = JSON.parse(item.fields) as FileFields;
    const options: ParseRequestOptions = {
      ...(fields.textFields ? { textFields: fields.textFields } : {}),
      ...(fields.ocrLangs ? { ocrLanguages: fields.ocrLangs } : {}),
      ...(onProgress ? { onProgress } : {}),
    };
    switch (item.kind) {
      case 'text':
        return this.spool.readJson<IncomingDocument>(job.id, item.ordinal);
      case 'file': {
        const filename = item.source ?? 'upload';
        const file = this.spool.fileOf(job.id, item.ordinal);
        const parsed = await this.parsing.parseStored(
          file,
          filename,
          item.content_type ?? '',
          options,
        );
        return {
          ...documentFromParsed(parsed, filename, filename, fields),
          original: { path: file },
        };
      }
      case 'url': {
        const fetched = await this.urls.fetch(item.source ?? '');
        const mimeType = fetched.contentType?.split(';')[0]?.trim() ?? 'application/octet-stream';
        const filename = fetched.fileName ?? new URL(fetched.url).hostname;
        const parsed = await this.parsing.parse(
          { data: fetched.body, filename, mimeType },
          options,
        );
        return {
          ...documentFromParsed(parsed, filename, fetched.url, {
            ...fields,
            metadata: { ...fields.metadata, url: fetched.url },
          }),
          original: { data: fetched.body },
        };
      }
    }
  }
}
