import { randomUUID } from 'node:crypto';
import type { NewJobItem } from '../../database/jobs.repository';
import type { IncomingDocument } from '../documents.service';
import type { FileFields } from '../parsing.service';

/** One input of a new job. */
export type JobInput =
  | {
      kind: 'file';
      uploaded: string;
      filename: string;
      mimeType: string;
      bytes: number;
      fields: FileFields;
    }
  | { kind: 'text'; document: IncomingDocument }
  | { kind: 'url'; url: string; fields: FileFields };

/** The job item row for an input, with its document id fixed now (a resumed job finds it again). */
export function toJobItem(input: JobInput): NewJobItem {
  switch (input.kind) {
    case 'file':
      return {
        kind: 'file',
        documentId: input.fields.id ?? randomUUID(),
        source: input.filename,
        contentType: input.mimeType,
        bytes: input.bytes,
        fields: { ...input.fields, id: undefined },
      };
    case 'text':
      return {
        kind: 'text',
        documentId: input.document.id ?? randomUUID(),
        source: input.document.source ?? null,
        contentType: 'text/plain',
        bytes: Buffer.byteLength(input.document.text),
        fields: {},
      };
    case 'url':
      return {
        kind: 'url',
        documentId: input.fields.id ?? randomUUID(),
        source: input.url,
        contentType: null,
        bytes: 0,
        fields: { ...input.fields, id: undefined },
      };
  }
}
