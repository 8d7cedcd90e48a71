import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CollectionsRepository } from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { LexicalRepository } from '../database/lexical.repository';
import { documentLanguage, lexicalKey } from '../language/document-language';
import { indexTerms } from '../language/tokenizer';

/** Chunks analysed per transaction (one turn of the event loop). */
const BATCH_CHUNKS = 400;

export interface ReanalysisView {
  /** running: documents are being analysed again (searches go on meanwhile); done: all are. */
  state: 'running' | 'done';
  /** The collection setting the documents are analysed under. */
  language: string;
  /** Documents analysed under it, and all documents. */
  done: number;
  total: number;
}

/**
 * Analyses a collection's documents again for lexical search, in the background: after its
 * `language` changes, after an analyser change (ANALYZER_VERSION), and for databases made before
 * migration 8 (whose collections the old Porter index serves until this is done). A document at a
 * time, its chunks' terms rewritten in place with its language recorded in one transaction; the
 * work left is the documents whose recorded setting differs, so a restart resumes where it was.
 * Searches go on meanwhile: a query is analysed in every language the documents still have.
 */
@Injectable()
export class ReanalysisService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReanalysisService.name);
  private readonly running = new Map<number, Promise<void>>();
  /** Collections whose setting changed while their job ran: it goes round again. */
  private readonly again = new Set<number>();
  private stopped = false;

  constructor(
    private readonly database: DatabaseService,
    private readonly collections: CollectionsRepository,
    private readonly lexical: LexicalRepository,
  ) {}

  onApplicationBootstrap(): void {
    for (const c of this.collections.list()) {
      if (this.lexical.remaining(c.id, lexicalKey(c.language)) > 0) this.start(c.id);
      else if (c.lexical_index === 'legacy')
        this.database.transaction(() => this.lexical.setIndex(c.id, 'analyzed'));
    }
    this.dropLegacyIfUnused();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Starts (or restarts, after a language change) the collection's job. */
  start(collectionId: number): void {
    if (this.running.has(collectionId)) {
      this.again.add(collectionId);
      return;
    }
    const run = this.run(collectionId)
      .catch((e: unknown) =>
        this.logger.error(
          `Analysing collection ${collectionId} again failed: ${e instanceof Error ? e.message : String(e)}; it resumes at the next start`,
        ),
      )
      .finally(() => {
        this.running.delete(collectionId);
        if (this.again.delete(collectionId) && !this.stopped) this.start(collectionId);
      });
    this.running.set(collectionId, run);
  }

  /** Resolves when the collection's job (if any) has ended. */
  async settled(collectionId: number): Promise<void> {
    while (this.running.has(collectionId)) await this.running.get(collectionId);
  }

  view(collectionId: number, setting: string, total: number): ReanalysisView {
    const left = this.lexical.remaining(collectionId, lexicalKey(setting));
    return {
      state: left > 0 ? 'running' : 'done',
      language: setting,
      done: total - left,
      total,
    };
  }

  private async run(collectionId: number): Promise<void> {
    const t0 = performance.now();
    let documents = 0;
    for (let after = 0; ;) {
      if (this.stopped) return;
      await yieldToEventLoop();
      const done = this.database.transaction(() => {
        const c = this.collections.findById(collectionId);
        if (!c) return undefined; // deleted
        const key = lexicalKey(c.language);
        let chunks = 0;
        let last = after;
        for (const doc of this.lexical.toAnalyze(c.id, key, after, 50)) {
          const language = documentLanguage(c.language, doc.text);
          const rows = this.lexical.chunksOf(doc.pk);
          this.lexical.writeTerms(
            rows.map((r) => ({ chunkId: r.id, terms: indexTerms(r.text, language) })),
          );
          this.lexical.markAnalyzed(doc.pk, language, key);
          documents++;
          last = doc.pk;
          chunks += rows.length;
          if (chunks >= BATCH_CHUNKS) break;
        }
        if (last === after) {
          // Nothing left after `after`: documents skipped meanwhile (added under another setting) go next round.
          if (this.lexical.remaining(c.id, key) > 0) return 0;
          if (c.lexical_index === 'legacy') this.lexical.setIndex(c.id, 'analyzed');
          return undefined;
        }
        return last;
      });
      if (done === undefined) break;
      after = done;
    }
    if (documents > 0)
      this.logger.log(
        `Collection ${collectionId}: ${documents} documents analysed again for lexical search in ${Math.round(performance.now() - t0)} ms`,
      );
    this.dropLegacyIfUnused();
  }

  /** The Porter index of before migration 8 goes once no collection is served by it. */
  private dropLegacyIfUnused(): void {
    const dropped = this.database.transaction(
      () => this.lexical.legacyCount() === 0 && this.lexical.dropLegacyIndex(),
    );
    if (dropped) this.logger.log('Dropped the lexical index of before migration 8 (chunks_fts)');
  }
}
