import { Injectable } from '@nestjs/common';
import type { CollectionRow } from '../database/collections.repository';
import type { SqlFilter } from '../database/documents.repository';
import { LexicalRepository } from '../database/lexical.repository';
import { queryLanguages } from '../language/detect-language';
import { AUTO } from '../language/languages';
import { queryTerms } from '../language/query-terms';
import { toFtsQuery, toTermsQuery } from './lexical-query';

/** At most this many languages a query is analysed in. */
const MAX_LANGUAGES = 4;

/**
 * BM25 over a collection's lexical index, the query analysed as its documents were: in the
 * collection's language, or (auto) in the languages its documents have that the query may be in.
 * A collection still on the index of before migration 8 is searched the old way (Porter).
 */
@Injectable()
export class LexicalSearchService {
  constructor(private readonly lexical: LexicalRepository) {}

  search(
    collection: CollectionRow,
    query: string,
    limit: number,
    where?: SqlFilter,
  ): { id: number; score: number }[] {
    const legacy = collection.lexical_index === 'legacy';
    const match = legacy
      ? toFtsQuery(query)
      : toTermsQuery(queryTerms(query, this.languages(collection, query)));
    if (!match) return [];
    return this.lexical
      .search(legacy ? 'legacy' : 'analyzed', collection.id, match, limit, where)
      .map((r) => ({ id: r.chunk_id, score: r.score }));
  }

  /**
   * The languages to analyse the query in. A fixed language alone, unless documents analysed in
   * others are still there (a re-analysis after a language change is running).
   */
  languages(collection: CollectionRow, query: string): string[] {
    const present = this.lexical.languages(collection.id);
    if (collection.language === AUTO) return queryLanguages(query, present);
    return [...new Set([collection.language, ...present])].slice(0, MAX_LANGUAGES);
  }
}
