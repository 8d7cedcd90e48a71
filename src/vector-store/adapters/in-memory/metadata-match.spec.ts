import Database from 'better-sqlite3';
import { InvalidInputError } from '../../../common/errors';
import { compileFilter } from '../../metadata-filter';
import { metadataMatcher } from './metadata-match';

/** The matcher must mean what the SQL means: SQLite itself is the oracle. */
describe('metadataMatcher', () => {
  const rows: [string, Record<string, unknown>][] = [
    ['a', { lang: 'en', year: 2020, draft: true, published: '2020-05-01', n: 1 }],
    ['b', { lang: 'de', year: 2022, draft: false, published: '2022-01-15T10:00:00Z' }],
    ['c', { lang: 'en', year: 2024, published: '2024-03-30', tags: ['x'] }],
    ['d', { lang: 'fr', year: '2024', draft: null }],
    ['e', {}],
  ];
  const db = new Database(':memory:');
  db.exec('CREATE TABLE documents (id TEXT, metadata TEXT)');
  for (const [id, m] of rows)
    db.prepare('INSERT INTO documents VALUES (?, ?)').run(id, JSON.stringify(m));
  const bySql = (filter: unknown) => {
    const compiled = compileFilter(filter);
    return (
      db
        .prepare(`SELECT id FROM documents d WHERE ${compiled.sql} ORDER BY id`)
        .all(compiled.params) as { id: string }[]
    ).map((r) => r.id);
  };
  const byMatcher = (filter: unknown) => {
    const sut = metadataMatcher(filter);
    return rows.filter(([, m]) => sut(m)).map(([id]) => id);
  };

  it.each([
    [{ lang: 'en' }, ['a', 'c']],
    [{ draft: true }, ['a']],
    [{ draft: false }, ['b']],
    [{ n: true }, ['a']],
    [{ year: 2024 }, ['c']],
    [{ year: '2024' }, ['d']],
    [{ lang: 'en', year: 2024 }, ['c']],
    [{ lang: { $in: ['de', 'fr'] } }, ['b', 'd']],
    [{ lang: { $nin: ['en'] } }, ['b', 'd', 'e']],
    [{ draft: { $ne: true } }, ['b', 'c', 'd', 'e']],
    [{ draft: { $eq: false } }, ['b']],
    [{ year: { $gte: 2022 } }, ['b', 'c']],
    [{ year: { $gt: 2020, $lt: 2024 } }, ['b']],
    [{ draft: { $gte: 1 } }, ['a']],
    [{ published: { $gte: '2021-01-01' } }, ['b', 'c']],
    [{ published: { $lt: '2022-01-15T10:00:01Z' } }, ['a', 'b']],
    [{ $or: [{ lang: 'de' }, { year: { $gte: 2024 } }] }, ['b', 'c']],
    [{ $and: [{ lang: 'en' }, { $or: [{ draft: true }, { year: 2024 }] }] }, ['a', 'c']],
    [{ tags: '["x"]' }, ['c']],
  ])('%j matches %j, as the SQL does', (filter, expected) => {
    expect(bySql(filter)).toEqual(expected);
    expect(byMatcher(filter)).toEqual(expected);
  });

  it('refuses an invalid filter with the SQL compiler’s message', () => {
    expect(() => metadataMatcher({ year: { $between: [1, 2] } })).toThrow(InvalidInputError);
    expect(() => metadataMatcher({})).toThrow(/is empty/);
  });
});
