import * as path from 'node:path';
import { isSameOrInside } from './path-containment';

describe('isSameOrInside', () => {
  const parent = path.resolve('/data/storage');

  it('is true for the directory itself and for paths below it', () => {
    expect(isSameOrInside(parent, parent)).toBe(true);
    expect(isSameOrInside(path.join(parent, 'backups', 'x'), parent)).toBe(true);
    expect(isSameOrInside(path.join(parent, '..x'), parent)).toBe(true); // a name, not the parent
  });

  it('is false for the parent, a sibling sharing the prefix, a path out through ..', () => {
    expect(isSameOrInside(path.resolve('/data'), parent)).toBe(false);
    expect(isSameOrInside(path.resolve('/data/storage-backups'), parent)).toBe(false);
    expect(isSameOrInside(path.join(parent, '..', 'other'), parent)).toBe(false);
  });
});
