import { Injectable } from '@nestjs/common';
import type { Statement } from 'better-sqlite3';
import { DatabaseService } from './database.service';

export interface CollectionChunkCounts {
  id: number;
  name: string;
  embedded: number;
  pending: number;
}

/**
 * Counts for the metrics, read at scrape time: chunks per collection (embedded, pending) from the
 * (collection_id, embedded) index, jobs by state from the (state) index. No document text is read.
 */
@Injectable()
export class StatsRepository {
  private readonly chunkCounts: Statement;
  private readonly jobCounts: Statement;

  constructor(database: DatabaseService) {
    this.chunkCounts = database.db.prepare(
      `SELECT c.id, c.name, COALESCE(k.embedded, 0) AS embedded, COALESCE(k.pending, 0) AS pending
         FROM collections c
         LEFT JOIN (SELECT collection_id, SUM(embedded = 1) AS embedded, SUM(embedded = 0) AS pending
                      FROM chunks GROUP BY collection_id) k ON k.collection_id = c.id
        ORDER BY c.id`,
    );
    this.jobCounts = database.db.prepare(`SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`);
  }

  /** Every collection with its chunk counts, oldest first. */
  chunksByCollection(): CollectionChunkCounts[] {
    return this.chunkCounts.all() as CollectionChunkCounts[];
  }

  jobsByState(): { state: string; n: number }[] {
    return this.jobCounts.all() as { state: string; n: number }[];
  }
}
