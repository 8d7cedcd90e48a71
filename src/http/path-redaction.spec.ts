import { PathRedaction } from './path-redaction';

describe('PathRedaction', () => {
  const sut = new PathRedaction({
    storageDir: '/srv/ragd/storage/',
    modelsDir: '/srv/ragd/storage/models',
    backupDir: '/mnt/backups',
  });

  it('names each configured folder by its setting, the innermost first', () => {
    expect(sut.text('could not write (/srv/ragd/storage/ragd.sqlite)')).toBe(
      'could not write (STORAGE_DIR/ragd.sqlite)',
    );
    expect(sut.text('missing /srv/ragd/storage/models/tiny/embed and /mnt/backups/b1')).toBe(
      'missing MODELS_DIR/tiny/embed and BACKUP_DIR/b1',
    );
  });

  it('leaves other text alone and walks details', () => {
    expect(sut.text('no path here')).toBe('no path here');
    expect(sut.value({ path: '/mnt/backups/x', n: 3, list: ['/srv/ragd/storage/a'] })).toEqual({
      path: 'BACKUP_DIR/x',
      n: 3,
      list: ['STORAGE_DIR/a'],
    });
  });

  it('ignores relative folders (they name nothing of the machine)', () => {
    const relative = new PathRedaction({ storageDir: 'storage', modelsDir: 'models' });
    expect(relative.text('storage/ragd.sqlite')).toBe('storage/ragd.sqlite');
  });
});
