import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../../src/common/errors';
import { FILTER_LIMITS, MetadataFilter } from '../../src/vector-store/metadata-filter';
import type { VectorItem, VectorStore } from '../../src/vector-store/vector-store';
import { DirectorySink } from './directory-sink';
import { SqliteSource, tempDir } from './sqlite-source';

/** What a contract run needs of an adapter: the store, over a source of truth. */
export interface VectorStoreFixture {
  source: SqliteSource;
  store: VectorStore;
  /** Another store over the same source of truth, holding nothing yet (where an export is imported). */
  another(): Promise<VectorStore>;
  close(): Promise<void>;
}

const DIM = 4;

/** A unit vector in the first plane at `degrees`, so the order of similarities is known. */
function at(degrees: number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  v[0] = Math.cos((degrees * Math.PI) / 180);
  v[1] = Math.sin((degrees * Math.PI) / 180);
  return v;
}

/** A unit vector in the second plane: orthogonal to every vector of `at`. */
function across(degrees: number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  v[2] = Math.cos((degrees * Math.PI) / 180);
  v[3] = Math.sin((degrees * Math.PI) / 180);
  return v;
}

const ids = (found: { id: number }[]) => found.map((f) => f.id);

/**
 * What every VectorStore adapter must do, checked on real vectors against a real source of truth.
 * Run by test/contract/<adapter>.contract-spec.ts with a fixture that builds the adapter.
 */
export function vectorStoreContract(adapter: string, make: () => Promise<VectorStoreFixture>) {
  describe(`VectorStore contract: ${adapter}`, () => {
    let fx: VectorStoreFixture;
    let sut: VectorStore;
    /** Collection 'angles': vectors at 0, 10, ..., 90 degrees; lang 'en' for even tens, 'de' for odd. */
    let angles: number;
    let items: VectorItem[];

    beforeEach(async () => {
      fx = await make();
      sut = fx.store;
      angles = fx.source.collection(DIM);
      items = fx.source.store(
        angles,
        Array.from({ length: 10 }, (_, i) => ({
          vector: at(i * 10),
          metadata: i % 2 === 0 ? { lang: 'en', n: i } : { lang: 'de', n: i },
        })),
      );
      sut.add(angles, items);
    });

    afterEach(async () => {
      await fx.close();
    });

    it('finds the k nearest in order of similarity, with the cosine as the similarity', async () => {
      const found = await sut.search(angles, at(22), 4);
      expect(ids(found)).toEqual([20, 30, 10, 40].map((d) => items[d / 10]!.id));
      expect(found[0]!.similarity).toBeCloseTo(Math.cos((2 * Math.PI) / 180), 5);
      expect(found[3]!.similarity).toBeCloseTo(Math.cos((18 * Math.PI) / 180), 5);
      expect(sut.size(angles)).toBe(10);
      expect(sut.state(angles)).toEqual({ state: 'ready', size: 10 });
    });

    it('returns what it holds when k is larger, and nothing for a collection it does not know', async () => {
      expect(await sut.search(angles, at(0), 50)).toHaveLength(10);
      expect(await sut.search(angles + 1000, at(0), 5)).toEqual([]);
      expect(sut.size(angles + 1000)).toBe(0);
    });

    it('keeps the first vector of an id added twice', async () => {
      sut.add(angles, [{ ...items[0]!, vector: at(90) }]);
      const [top] = await sut.search(angles, at(0), 1);
      expect(top).toEqual({ id: items[0]!.id, similarity: expect.closeTo(1, 5) as number });
      expect(sut.size(angles)).toBe(10);
    });

    it('forgets deleted vectors, and ignores ids it does not hold', async () => {
      sut.delete(angles, [items[2]!.id, items[3]!.id, 999_999]);
      expect(ids(await sut.search(angles, at(24), 3))).toEqual([
        items[1]!.id,
        items[4]!.id,
        items[0]!.id,
      ]);
      expect(sut.size(angles)).toBe(8);
    });

    it('searches only among allowed ids, ignoring ids it does not hold', async () => {
      const allowed = [items[9]!.id, items[5]!.id, items[7]!.id, 999_999];
      const found = await sut.search(angles, at(0), 2, { ids: allowed });
      expect(ids(found)).toEqual([items[5]!.id, items[7]!.id]);
      expect(await sut.search(angles, at(0), 5, { ids: [] })).toEqual([]);
    });

    it('searches only among vectors whose metadata matches the conditions', async () => {
      const de = await sut.search(angles, at(0), 3, { metadata: { lang: 'de' } });
      expect(ids(de)).toEqual([1, 3, 5].map((i) => items[i]!.id));
      const some = await sut.search(angles, at(90), 10, {
        metadata: { $or: [{ n: { $gte: 8 } }, { n: { $in: [0] } }] },
      });
      expect(ids(some)).toEqual([9, 8, 0].map((i) => items[i]!.id));
      expect(await sut.search(angles, at(0), 3, { metadata: { lang: 'fr' } })).toEqual([]);
    });

    it('refuses a metadata filter past the limits of metadata-filter.ts, whatever it holds', async () => {
      const deep = Array.from({ length: FILTER_LIMITS.depth + 1 }).reduce<MetadataFilter>(
        (inner) => ({ $and: [inner] }),
        { lang: 'de' },
      );
      const wide = { n: { $in: Array.from({ length: FILTER_LIMITS.values + 1 }, (_, i) => i) } };
      for (const metadata of [deep, wide] as MetadataFilter[])
        await expect(
          (async () => sut.search(angles, at(0), 3, { metadata }))(),
        ).rejects.toBeInstanceOf(InvalidInputError);
      expect(
        ids(await sut.search(angles, at(0), 1, { metadata: { $and: [{ lang: 'de' }] } })),
      ).toEqual([items[1]!.id]);
    });

    it('keeps collections apart', async () => {
      const other = fx.source.collection(DIM);
      const [o] = fx.source.store(other, [{ vector: at(0) }]);
      sut.add(other, [o!]);
      expect(ids(await sut.search(other, at(45), 5))).toEqual([o!.id]);
      expect(ids(await sut.search(angles, at(0), 1))).toEqual([items[0]!.id]);
      sut.drop(other);
      expect(await sut.search(other, at(0), 5)).toEqual([]);
      expect(sut.size(other)).toBe(0);
      expect(sut.size(angles)).toBe(10);
    });

    it('serves a staged generation only once promoted, then at once and alone', async () => {
      const before = sut.generation(angles);
      const wide = DIM + 2;
      // The new model puts vector i where at((9 - i) * 10) of the old one was.
      const next = (id: number) => at((9 - items.findIndex((it) => it.id === id)) * 10, wide);
      sut.beginStaged(angles, wide);
      sut.addStaged(
        angles,
        items.map((it) => ({ id: it.id, vector: next(it.id), metadata: it.metadata })),
      );
      expect(sut.stagedSize(angles)).toBe(10);
      expect(ids(await sut.search(angles, at(0), 1))).toEqual([items[0]!.id]); // old still serves
      expect(sut.generation(angles)).toBe(before);

      const { generation, written } = fx.source.reembed(angles, wide, next);
      sut.promote(angles, wide, generation, written);
      expect(sut.generation(angles)).toBe(generation);
      expect(generation).toBeGreaterThan(before);
      expect(sut.stagedSize(angles)).toBe(0);
      expect(sut.size(angles)).toBe(10);
      expect(ids(await sut.search(angles, at(0, wide), 2))).toEqual([items[9]!.id, items[8]!.id]);
      const de = await sut.search(angles, at(0, wide), 1, { metadata: { lang: 'de' } });
      expect(ids(de)).toEqual([items[9]!.id]);
    });

    it('drops a staged generation untouched, and deletes from it too', async () => {
      sut.beginStaged(angles, DIM);
      sut.addStaged(angles, [
        { id: items[0]!.id, vector: across(0) },
        { id: items[1]!.id, vector: across(10) },
      ]);
      sut.delete(angles, [items[1]!.id]);
      expect(sut.stagedSize(angles)).toBe(1);
      sut.dropStaged(angles);
      expect(sut.stagedSize(angles)).toBe(0);
      expect(ids(await sut.search(angles, at(0), 1))).toEqual([items[0]!.id]);
      expect(sut.size(angles)).toBe(9);
    });

    it('exports into files it lists and imports them into another store that then answers the same', async () => {
      const other = fx.source.collection(DIM);
      const more = fx.source.store(other, [{ vector: across(0) }, { vector: across(30) }]);
      sut.add(other, more);
      sut.delete(angles, [items[4]!.id]);
      fx.source.unstore(angles, [items[4]!.id]);
      await sut.flush();
      const dir = tempDir();
      const progress: [number, number][] = [];
      const exported = await sut.export(new DirectorySink(dir), (done, total) =>
        progress.push([done, total]),
      );

      expect(exported.collections.map((c) => [c.collection, c.size]).sort()).toEqual(
        [
          [angles, 9],
          [other, 2],
        ].sort(),
      );
      const maxSeq = Math.max(...items.map((it) => it.seq), ...more.map((it) => it.seq));
      expect(Math.max(...exported.collections.map((c) => c.watermark))).toBe(maxSeq);
      for (const f of exported.collections.flatMap((c) => c.files))
        expect(fs.statSync(path.join(dir, f.name)).size).toBe(f.bytes);
      expect(progress.at(-1)).toEqual([expect.any(Number), expect.any(Number)]);
      expect(progress.at(-1)![0]).toBe(progress.at(-1)![1]);

      const restored = await fx.another();
      await restored.import(dir);
      for (const [c, query] of [
        [angles, at(37)],
        [other, across(20)],
      ] as const) {
        expect(await restored.search(c, query, 5)).toEqual(await sut.search(c, query, 5));
        expect(restored.size(c)).toBe(sut.size(c));
        expect(restored.generation(c)).toBe(sut.generation(c));
      }
      const de = await restored.search(angles, at(0), 2, { metadata: { lang: 'de' } });
      expect(ids(de)).toEqual([items[1]!.id, items[3]!.id]);
    });

    it('verifies against the stored ids: consistent, then what is missing and what is extra', async () => {
      const stored = () => fx.source.vectors.vectorIds(angles);
      expect(await sut.verify(angles, stored)).toMatchObject({
        state: 'ready',
        size: 10,
        storedVectors: 10,
        missing: { count: 0, first: [] },
        extra: { count: 0, first: [] },
        consistent: true,
      });
      const [late] = fx.source.store(angles, [{ vector: across(0) }]); // stored, never added
      fx.source.unstore(angles, [items[6]!.id]); // deleted in SQLite, still held
      const report = await sut.verify(angles, stored);
      expect(report.missing).toEqual({ count: 1, first: [late!.id] });
      expect(report.extra).toEqual({ count: 1, first: [items[6]!.id] });
      expect(report.consistent).toBe(false);
      expect(report.storedVectors).toBe(10);
    });
  });
}
