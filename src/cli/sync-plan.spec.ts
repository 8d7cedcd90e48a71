import type { LocalFile } from './local-files';
import { documentIdOf, metadataOf, planSync, relativePathOf } from './sync-plan';

const file = (relativePath: string, sha256: string): LocalFile => ({
  relativePath,
  absolutePath: `/f/${relativePath}`,
  bytes: 1,
  sha256,
});
const doc = (f: LocalFile) => ({
  id: documentIdOf(f.relativePath),
  metadata: { ...metadataOf(f) },
});

describe('documentIdOf', () => {
  it('escapes "/" and "%" so that the id holds no "/" and maps back to the path', () => {
    for (const p of ['a.md', 'guides/setup.md', 'odd%2Fname/x 1.txt', 'deep/er/still.pdf']) {
      const sut = documentIdOf(p);
      expect(sut).not.toContain('/');
      expect(relativePathOf(sut)).toBe(p);
    }
    expect(documentIdOf('guides/setup.md')).toBe('guides%2Fsetup.md');
  });
});

describe('planSync', () => {
  it('sorts files into added, changed, unchanged and removed', () => {
    const same = file('same.md', 'h1');
    const edited = file('dir/edited.txt', 'new');
    const gone = file('gone.md', 'h3');
    const fresh = file('fresh.md', 'h4');
    const sut = planSync(
      [same, edited, fresh],
      [doc(same), doc({ ...edited, sha256: 'old' }), doc(gone)],
    );
    expect(sut.added.map((f) => f.relativePath)).toEqual(['fresh.md']);
    expect(sut.changed.map((f) => f.relativePath)).toEqual(['dir/edited.txt']);
    expect(sut.removed.map((d) => d.id)).toEqual(['gone.md']);
    expect(sut.unchanged).toBe(1);
  });

  it('plans nothing when the collection already matches the folder', () => {
    const files = [file('a.md', '1'), file('b/c.md', '2')];
    expect(planSync(files, files.map(doc))).toEqual({
      added: [],
      changed: [],
      removed: [],
      unchanged: 2,
    });
  });

  it('never removes documents that ragd index did not add', () => {
    const sut = planSync([], [{ id: 'manual', metadata: { team: 'x' } }]);
    expect(sut.removed).toEqual([]);
  });

  it('refuses to overwrite a document of the same id that it did not add', () => {
    expect(() => planSync([file('a.md', '1')], [{ id: 'a.md', metadata: {} }])).toThrow(
      /not added by ragd index/,
    );
  });

  it('does not take a document whose id does not match its path metadata as synced', () => {
    const sut = planSync([], [{ id: 'renamed', metadata: { ...metadataOf(file('a.md', '1')) } }]);
    expect(sut.removed).toEqual([]);
  });
});
