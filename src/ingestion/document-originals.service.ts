import { Injectable } from '@nestjs/common';
import { DocumentNotFoundError } from '../common/errors';
import { CollectionsService } from '../collections/collections.service';
import { DocumentsRepository } from '../database/documents.repository';
import { OriginalFiles } from '../originals/original-files';
import { DocumentView, documentView } from './document-views';
import type { IncomingDocument } from './incoming-document';

/**
 * The original files of documents (OriginalFiles) kept in step with the stored documents: written
 * before a document commits, trimmed to the stored version after, and found for the file route.
 */
@Injectable()
export class DocumentOriginals {
  constructor(
    private readonly collections: CollectionsService,
    private readonly repo: DocumentsRepository,
    private readonly originals: OriginalFiles,
  ) {}

  /**
   * Writes the originals of the documents that have one (synced) before `store` commits them; after
   * it, keeps only the original of each document's stored version (none when it was refused).
   */
  async around<T>(
    collectionId: number,
    docs: readonly { doc: IncomingDocument; id: string; hash: string }[],
    store: () => T | Promise<T>,
  ): Promise<T> {
    const kept = docs.filter((d) => d.doc.original);
    for (const { doc, id, hash } of kept)
      await this.originals.keep(collectionId, id, hash, doc.original!);
    try {
      return await store();
    } finally {
      for (const { id } of kept)
        this.originals.settle(collectionId, id, this.repo.find(collectionId, id)?.content_hash);
    }
  }

  /** After a replacement: only the file of the version stored stays (a version added as text has none). */
  settle(collectionId: number, documentId: string, storedHash: string | undefined): void {
    this.originals.settle(collectionId, documentId, storedHash);
  }

  removeDocument(collectionId: number, documentId: string): void {
    this.originals.removeDocument(collectionId, documentId);
  }

  /** The kept file of a document's current version, if any. */
  of(collectionName: string, id: string): { file: string | undefined; document: DocumentView } {
    const c = this.collections.row(collectionName);
    const row = this.repo.find(c.id, id);
    if (!row?.complete) throw new DocumentNotFoundError(collectionName, id);
    return { file: this.originals.find(c.id, id, row.content_hash), document: documentView(row) };
  }
}
