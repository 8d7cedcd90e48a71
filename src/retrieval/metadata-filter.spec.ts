import Database from 'better-sqlite3';
import { InvalidInputError } from '../common/errors';
import { compileFilter } from './metadata-filter';

/** Runs compiled filters against real SQLite rows: the SQL is what matters. */
describe('compileFilter', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE documents (id TEXT, metadata TEXT)');
  const rows: [string, Record<string, unknown>][] = [
    ['a', { lang: 'en', year: 2020, draft: true, published: '2020-05-01' }],
    ['b', { lang: 'de', year: 2022, draft: false, published: '2022-01-15T10:00:00Z' }],
    ['c', { lang: 'en', year: 2024, published: '2024-03-30' }],
    ['d', { lang: 'fr', year: '2024' }],
  ];
  for (const [id, m] of rows)
    db.prepare('INSERT INTO documents VALUES (?, ?)').run(id, JSON.stringify(m));
  const ids = (filter: unknown) => {
    const sut = compileFilter(filter);
    return (
      db.prepare(`SELECT id FROM documents d WHERE ${sut.sql} ORDER BY id`).all(sut.params) as {
        id: string;
      }[]
    ).map((r) => r.id);
  };

  it('matches equality, booleans and several keys at once', () => {
    expect(ids({ lang: 'en' })).toEqual(['a', 'c']);
    expect(ids({ draft: true })).toEqual(['a']);
    expect(ids({ lang: 'en', year: 2024 })).toEqual(['c']);
  });

  it('supports $in, $nin and $ne (missing keys count as not equal)', () => {
    expect(ids({ lang: { $in: ['de', 'fr'] } })).toEqual(['b', 'd']);
    expect(ids({ lang: { $nin: ['en'] } })).toEqual(['b', 'd']);
    expect(ids({ draft: { $ne: true } })).toEqual(['b', 'c', 'd']);
  });

  it('compares numeric ranges as numbers and ignores text that looks like a number', () => {
    expect(ids({ year: { $gte: 2022 } })).toEqual(['b', 'c']);
    expect(ids({ year: { $gt: 2020, $lt: 2024 } })).toEqual(['b']);
  });

  it('compares ISO dates in time order', () => {
    expect(ids({ published: { $gte: '2021-01-01' } })).toEqual(['b', 'c']);
    expect(ids({ published: { $lt: '2022-01-15T10:00:01Z' } })).toEqual(['a', 'b']);
  });

  it('combines with $and and $or', () => {
    expect(ids({ $or: [{ lang: 'de' }, { year: { $gte: 2024 } }] })).toEqual(['b', 'c']);
    expect(ids({ $and: [{ lang: 'en' }, { $or: [{ draft: true }, { year: 2024 }] }] })).toEqual([
      'a',
      'c',
    ]);
  });

  it('binds every value, so quotes in values and keys cannot inject SQL', () => {
    expect(ids({ lang: "en' OR 1=1 --" })).toEqual([]);
    expect(() => compileFilter({ "lang') OR 1=1 --": 'x' })).toThrow(InvalidInputError);
  });

  it.each([
    [{ $nor: [] }, /not a known operator/],
    [{ year: { $between: [1, 2] } }, /not a known operator/],
    [{ year: { $gt: 'soon' } }, /number or an ISO 8601 date/],
    [{ lang: { $in: [] } }, /non-empty array/],
    [{ lang: ['en'] }, /must be a string, number, boolean or an operator object/],
    [{ $or: [] }, /non-empty array/],
    [{}, /is empty/],
    [{ a: {} }, /has no operator/],
  ])('refuses %j with a message naming the problem', (filter, message) => {
    expect(() => compileFilter(filter)).toThrow(message);
  });

  it('takes filters up to its limits: 1,000 values in one $in, 64 filters in an $or', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `v${i}`);
    expect(() => compileFilter({ lang: { $in: ['en', ...many.slice(1)] } })).not.toThrow();
    expect(ids({ $or: Array.from({ length: 64 }, (_, i) => ({ year: 2000 + i })) })).toEqual(
      expect.arrayContaining(['a']),
    );
  });

  it.each([
    [{ $or: Array.from({ length: 1000 }, (_, i) => ({ k: i })) }, /more than 64 filters/],
    [{ k: { $in: Array.from({ length: 1001 }, (_, i) => i) } }, /at most 1000/],
    [
      {
        $and: Array.from({ length: 20 }, (_, i) => ({
          k: { $in: Array.from({ length: 60 }, (_, j) => i * 100 + j) },
        })),
      },
      /more than 1000 values/,
    ],
    [Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])), /more than 64 keys/],
    [
      {
        $or: Array.from({ length: 60 }, () => ({
          $or: Array.from({ length: 60 }, (_, i) => ({ k: i })),
        })),
      },
      /more than 200 conditions/,
    ],
  ])('refuses filters past its limits before any SQL: %#', (filter, message) => {
    const t0 = performance.now();
    expect(() => compileFilter(filter)).toThrow(message);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
