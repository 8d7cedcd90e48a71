import { INestApplication } from '@nestjs/common';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { BackupFiles } from '../../src/backup/adapters/backup-files';
import { BackupService } from '../../src/backup/backup.service';
import { FakeBackupFiles } from '../support/fake-backup-files';
import { TINY_ENV, createTestApp, tempDir, tinyModelsPresent } from '../support/test-app';

const WORDS = [
  'river',
  'garden',
  'window',
  'engine',
  'market',
  'island',
  'forest',
  'castle',
  'bridge',
  'school',
];

/**
 * A word no other document has, for FTS5 to find. Consonants only, without s, l and y: the porter
 * stemmer leaves such words whole (it would make "qzbs" "qzb", another document's word).
 */
function tag(n: number): string {
  const letters = 'bcdfghjkmnpqrtvwxz';
  let s = '';
  do {
    s = letters[n % letters.length]! + s;
    n = Math.floor(n / letters.length);
  } while (n > 0);
  return `qz${s}`;
}

/** Document n: one to three chunks at DEFAULT_CHUNK_SIZE=48, each chunk's words unlike the others'. */
function doc(n: number) {
  const sentence = (k: number) =>
    `Report ${tag(n)} part ${k} tells about the ${WORDS[(n + k) % 10]} and the ${WORDS[(n * 3 + k) % 10]} near the ${WORDS[(n * 7 + k * 3) % 10]} at dawn.`;
  const sentences = 1 + (n % 3) * 2;
  return {
    id: `doc-${n}`,
    title: `Report ${n}`,
    text: Array.from({ length: sentences }, (_, k) => sentence(k)).join(' '),
    metadata: { n },
  };
}

/** What GET /v1/backups/{id} answers (BackupDto). */
interface BackupView {
  id: string;
  state: string;
  phase?: string;
  reason?: string;
  directory: string;
  origin: string;
  progress?: {
    sqlitePages: { copied: number; total: number };
    indexFiles: { copied: number; total: number };
  };
  timings: Record<string, number>;
  manifest?: {
    files: number;
    bytes: number;
    collections: { name: string; indexSnapshot: boolean; documents: number }[];
  };
}

interface CollectionView {
  index: { state: string };
  counts: { vectors: number; indexed: number; pending: number };
}

interface Write {
  id: string;
  collection: string;
  kind: 'add' | 'delete';
  sentAt: number;
  ackAt?: number;
  chunks?: number;
}

async function until<T>(
  what: string,
  poll: () => T | Promise<T>,
  done: (v: T) => boolean,
  ms = 60_000,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await poll();
    if (done(v)) return v;
    if (Date.now() - t0 > ms)
      throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('backup during writes, restored by starting a server on the backup (e2e)', () => {
  const storage = tempDir();
  const backups = tempDir('ragd-backups-');
  const env = { ...TINY_ENV, STORAGE_DIR: storage, BACKUP_DIR: backups };
  let app: INestApplication<App>;
  let restored: INestApplication<App> | undefined;
  const http = () => request(app.getHttpServer());
  const writes: Write[] = [];
  let backupSentAt = 0;
  let backupSeenEndedAt = 0;
  let inFlightAtBackup = 0;
  let backupId = '';
  let backupDir = '';
  let finalView: BackupView;
  const phasesSeen = new Set<string>();

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp(env);
    for (const name of ['notes', 'more'])
      await http().post('/v1/collections').send({ name }).expect(201);
    // Seed: 60 documents acknowledged long before the backup, some deleted again before it.
    for (let i = 0; i < 60; i += 20) {
      const collection = i < 40 ? 'notes' : 'more';
      const docs = Array.from({ length: 20 }, (_, k) => doc(i + k));
      const res = await http()
        .post(`/v1/collections/${collection}/documents`)
        .send({ documents: docs })
        .expect(201);
      for (const d of res.body.documents as { id: string; chunks: number }[]) {
        writes.push({ id: d.id, collection, kind: 'add', sentAt: 0, ackAt: 0, chunks: d.chunks });
      }
    }

    // Writers: three add documents one at a time, one deletes seeded documents, until told to stop.
    let stop = false;
    let next = 1000;
    const adder = async (collection: string) => {
      while (!stop) {
        const d = doc(next++);
        const w: Write = { id: d.id, collection, kind: 'add', sentAt: performance.now() };
        writes.push(w);
        const res = await http()
          .post(`/v1/collections/${collection}/documents`)
          .send({ documents: [d] })
          .expect(201);
        w.chunks = (res.body.documents as { chunks: number }[])[0]!.chunks;
        w.ackAt = performance.now();
      }
    };
    const deleter = async () => {
      for (let i = 0; i < 40 && !stop; i += 3) {
        const w: Write = {
          id: `doc-${i}`,
          collection: 'notes',
          kind: 'delete',
          sentAt: performance.now(),
        };
        writes.push(w);
        await http().delete(`/v1/collections/notes/documents/doc-${i}`).expect(204);
        w.ackAt = performance.now();
      }
    };
    const writers = [adder('notes'), adder('notes'), adder('more'), deleter()];
    await until(
      'writes before the backup',
      () => writes.filter((w) => w.sentAt > 0 && w.ackAt !== undefined).length,
      (n) => n >= 10,
    );

    backupSentAt = performance.now();
    inFlightAtBackup = writes.filter((w) => w.ackAt === undefined).length;
    const started = await http()
      .post('/v1/backups')
      .send({ directory: 'during-writes' })
      .expect(202);
    backupId = started.body.id;
    backupDir = started.body.directory;
    expect(started.headers.location).toBe(`/v1/backups/${backupId}`);
    finalView = await until(
      'the backup',
      async () => {
        const v = (await http().get(`/v1/backups/${backupId}`).expect(200)).body as BackupView;
        if (v.phase) phasesSeen.add(v.phase);
        return v;
      },
      (v) => v.state !== 'running',
    );
    backupSeenEndedAt = performance.now();
    stop = true;
    await Promise.all(writers);
  });

  afterAll(async () => {
    await restored?.close();
    await app?.close();
  });

  const ackedBeforeBackup = () =>
    writes.filter((w) => w.ackAt !== undefined && w.ackAt < backupSentAt);
  /** Added and acknowledged before the backup was requested, and never deleted (before, during or after it). */
  const addedBeforeBackup = () => {
    const deletes = new Set(writes.filter((w) => w.kind === 'delete').map((w) => w.id));
    return ackedBeforeBackup().filter((w) => w.kind === 'add' && !deletes.has(w.id));
  };
  const deletedBeforeBackup = () =>
    new Set(
      ackedBeforeBackup()
        .filter((w) => w.kind === 'delete')
        .map((w) => w.id),
    );

  it('was taken while writes were in flight', () => {
    expect(inFlightAtBackup).toBeGreaterThanOrEqual(1);
    expect(
      writes.some((w) => w.sentAt > 0 && w.ackAt !== undefined && w.ackAt > backupSentAt),
    ).toBe(true);
    expect(ackedBeforeBackup().filter((w) => w.sentAt > 0).length).toBeGreaterThanOrEqual(10);
  });

  it('finishes with progress, timings and a manifest summary', () => {
    expect(finalView).toMatchObject({
      id: backupId,
      state: 'done',
      origin: 'this_run',
      directory: path.join(backups, 'during-writes'),
    });
    expect(finalView.reason).toBeUndefined();
    const progress = finalView.progress!;
    expect(progress.sqlitePages.total).toBeGreaterThan(10);
    expect(progress.sqlitePages.copied).toBe(progress.sqlitePages.total);
    expect(progress.indexFiles).toEqual({ copied: 4, total: 4 });
    // Whole milliseconds per phase: a quick phase (a rename and an fsync on a fast disk) may round
    // to 0, the phases together and the backup as a whole may not. The phases (all but
    // 'preparing') fit in the total, give or take their 5 roundings, and the total in the time
    // from sending the request to seeing the backup done.
    const { totalMs, ...phases } = finalView.timings;
    expect(Object.keys(phases).sort()).toEqual([
      'finishMs',
      'indexesMs',
      'snapshotsMs',
      'sqliteMs',
      'verifyMs',
    ]);
    for (const ms of Object.values(phases)) expect(Number.isInteger(ms)).toBe(true);
    expect(Number.isInteger(totalMs)).toBe(true);
    expect(totalMs).toBeGreaterThan(0);
    const phaseSum = Object.values(phases).reduce((a, b) => a + b, 0);
    expect(phaseSum).toBeGreaterThan(0);
    expect(phaseSum).toBeLessThanOrEqual(totalMs! + 3);
    expect(totalMs).toBeLessThanOrEqual(backupSeenEndedAt - backupSentAt);
    expect(finalView.manifest!.collections.map((c) => [c.name, c.indexSnapshot])).toEqual([
      ['notes', true],
      ['more', true],
    ]);
    expect(phasesSeen.size).toBeGreaterThanOrEqual(1);
  });

  it('has the layout of a STORAGE_DIR plus a manifest whose checksums match the files', () => {
    const entries = fs.readdirSync(backupDir).sort();
    expect(entries).toEqual(['indexes', 'manifest.json', 'ragd.sqlite']);
    const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'ragd-backup',
      formatVersion: 1,
      id: backupId,
      sqlite: { path: 'ragd.sqlite' },
    });
    expect(manifest.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(manifest.finishedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt));
    const listed = (manifest.files as { path: string; bytes: number; sha256: string }[])
      .map((f) => f.path)
      .sort();
    const onDisk = [
      'ragd.sqlite',
      ...fs.readdirSync(path.join(backupDir, 'indexes')).map((f) => `indexes/${f}`),
    ].sort();
    expect(listed).toEqual(onDisk);
    expect(listed).toHaveLength(5);
    // Only the server's user may read a backup: it holds every document.
    const mode = (p: string) => fs.statSync(path.join(backupDir, p)).mode & 0o777;
    expect(mode('.')).toBe(0o700);
    expect(mode('indexes')).toBe(0o700);
    for (const f of [...listed, 'manifest.json'])
      expect({ f, mode: mode(f) }).toEqual({ f, mode: 0o600 });
    for (const f of manifest.files as { path: string; bytes: number; sha256: string }[]) {
      const file = path.join(backupDir, f.path);
      expect({ path: f.path, bytes: fs.statSync(file).size, sha256: sha256(file) }).toEqual(f);
    }
  });

  it('holds the vectors of every chunk acknowledged before the backup began, in the SQLite copy itself', () => {
    // Read before any server opens the copy: these vectors come from the backup, not a re-embedding.
    const db = new Database(path.join(backupDir, 'ragd.sqlite'), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      const chunks = db.prepare(
        `SELECT COUNT(c.id) AS chunks, COUNT(v.chunk_id) AS vectors FROM documents d JOIN collections k ON k.id = d.collection_id
         JOIN chunks c ON c.document_pk = d.pk LEFT JOIN chunk_vectors v ON v.chunk_id = c.id WHERE k.name = ? AND d.id = ?`,
      );
      const live = addedBeforeBackup();
      expect(live.length).toBeGreaterThan(40);
      for (const w of live) {
        expect({ id: w.id, ...(chunks.get(w.collection, w.id) as object) }).toEqual({
          id: w.id,
          chunks: w.chunks,
          vectors: w.chunks,
        });
      }
    } finally {
      db.close();
    }
  });

  describe('a server started with STORAGE_DIR = the backup directory', () => {
    const rhttp = () => request(restored!.getHttpServer());

    beforeAll(async () => {
      // One more backup, default-named (a request without a body), for the listing of backups found in BACKUP_DIR.
      const other = await http().post('/v1/backups').expect(202);
      expect(path.dirname(other.body.directory)).toBe(backups);
      expect(path.basename(other.body.directory)).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/,
      );
      await until(
        'the second backup',
        async () =>
          ((await http().get(`/v1/backups/${other.body.id}`).expect(200)).body as BackupView).state,
        (s) => s !== 'running',
      );
      await app.close();
      restored = await createTestApp({ ...env, STORAGE_DIR: backupDir });
    });

    it('has every document acknowledged before the backup began, with all its chunks', async () => {
      for (const w of addedBeforeBackup()) {
        const res = await rhttp()
          .get(`/v1/collections/${w.collection}/documents/${w.id}`)
          .expect(200);
        const n = Number(w.id.slice('doc-'.length));
        expect(res.body.text).toBe(doc(n).text);
        expect(res.body.chunks).toHaveLength(w.chunks!);
        for (const c of res.body.chunks as { text: string; start: number; end: number }[])
          expect(doc(n).text.slice(c.start, c.end)).toBe(c.text);
      }
    });

    it('has none of the documents deleted before the backup began', async () => {
      const deleted = [...deletedBeforeBackup()];
      expect(deleted.length).toBeGreaterThanOrEqual(1);
      for (const id of deleted)
        await rhttp().get(`/v1/collections/notes/documents/${id}`).expect(404);
    });

    it('holds each document whole or not at all', async () => {
      const chunksOf = new Map(
        writes.filter((w) => w.kind === 'add').map((w) => [`${w.collection}/${w.id}`, w.chunks]),
      );
      for (const collection of ['notes', 'more']) {
        const list = await rhttp()
          .get(`/v1/collections/${collection}/documents?limit=1000`)
          .expect(200);
        expect(list.body.total).toBeGreaterThan(10);
        expect(list.body.items).toHaveLength(list.body.total);
        for (const d of list.body.items as { id: string }[]) {
          const full = await rhttp()
            .get(`/v1/collections/${collection}/documents/${d.id}`)
            .expect(200);
          expect(full.body.chunks).toHaveLength(chunksOf.get(`${collection}/${d.id}`)!);
        }
      }
    });

    it('has a consistent index: as many indexed vectors as stored ones, loaded from the snapshot', async () => {
      for (const name of ['notes', 'more']) {
        const c = await until(
          'the index',
          async () =>
            (await rhttp().get(`/v1/collections/${name}`).expect(200)).body as CollectionView,
          (b) => b.index.state === 'ready',
        );
        expect(c.counts.vectors).toBeGreaterThan(0);
        expect(c.counts.indexed).toBe(c.counts.vectors);
      }
    });

    it('finds every acknowledged document lexically and densely', async () => {
      // Chunks left pending in the copy (written mid-backup) are embedded now; wait for them.
      for (const name of ['notes', 'more']) {
        await until(
          'embedding',
          async () =>
            ((await rhttp().get(`/v1/collections/${name}`).expect(200)).body as CollectionView)
              .counts.pending,
          (p) => p === 0,
        );
      }
      for (const w of addedBeforeBackup()) {
        const n = Number(w.id.slice('doc-'.length));
        const search = (body: object) =>
          rhttp().post(`/v1/collections/${w.collection}/search`).send(body).expect(200);
        const lexical = await search({ query: tag(n), mode: 'lexical', topK: 3 });
        expect(lexical.body.results[0]?.documentId).toBe(w.id);
        const full = await rhttp()
          .get(`/v1/collections/${w.collection}/documents/${w.id}`)
          .expect(200);
        for (const c of full.body.chunks as { id: number; text: string }[]) {
          const dense = await search({ query: c.text, mode: 'dense', topK: 3 });
          expect(dense.body.results.map((r: { chunkId: number }) => r.chunkId)).toContain(c.id);
        }
      }
    });

    it('lists the other backup as found in BACKUP_DIR, and not its own storage', async () => {
      const list = await rhttp().get('/v1/backups').expect(200);
      const found = list.body.backups as {
        id: string;
        origin: string;
        state: string;
        directory: string;
        manifest: { files: number };
      }[];
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ origin: 'found', state: 'done' });
      expect(found[0]!.id).not.toBe(backupId);
      expect(found[0]!.manifest.files).toBe(5);
      const one = await rhttp().get(`/v1/backups/${found[0]!.id}`).expect(200);
      expect(one.body.directory).toBe(found[0]!.directory);
      await rhttp().get(`/v1/backups/${backupId}`).expect(404);
    });
  });
});

describe('backup requests refused, and backups that fail (e2e)', () => {
  const storage = tempDir();
  const backups = tempDir('ragd-backups-');
  let app: INestApplication<App>;
  let files: FakeBackupFiles;
  const http = () => request(app.getHttpServer());
  const start = (body: object) => http().post('/v1/backups').send(body);
  const settle = (id: string) =>
    until(
      'the backup',
      async () => (await http().get(`/v1/backups/${id}`).expect(200)).body as BackupView,
      (b) => b.state !== 'running',
    );

  beforeAll(async () => {
    tinyModelsPresent();
    app = await createTestApp({ ...TINY_ENV, STORAGE_DIR: storage, BACKUP_DIR: backups }, [
      { provide: BackupFiles, useClass: FakeBackupFiles },
    ]);
    files = app.get(BackupFiles);
    expect(files).toBeInstanceOf(FakeBackupFiles);
    await http().post('/v1/collections').send({ name: 'notes' }).expect(201);
    await http()
      .post('/v1/collections/notes/documents')
      .send({ documents: [doc(1), doc(2), doc(3)] })
      .expect(201);
  });

  afterEach(() => {
    files.diskFullAt = undefined;
  });

  afterAll(async () => {
    await app?.close();
  });

  // The details name the refused directory: resolved against BACKUP_DIR, and with its links
  // resolved when a link is what leads it astray.
  const resolved = (requested: string) => path.resolve(backups, requested);
  const named = (p: string) =>
    p.startsWith(`${storage}/`)
      ? `STORAGE_DIR${p.slice(storage.length)}`
      : p.startsWith(`${backups}/`)
        ? `BACKUP_DIR${p.slice(backups.length)}`
        : p;
  it.each([
    [
      'a relative path out of BACKUP_DIR',
      () => '../elsewhere',
      400,
      'backup_target_outside_backup_dir',
      resolved,
    ],
    [
      'an absolute path elsewhere',
      () => path.join(tempDir(), 'b'),
      400,
      'backup_target_outside_backup_dir',
      resolved,
    ],
    [
      'a path inside STORAGE_DIR',
      () => path.join(storage, 'b'),
      400,
      'backup_target_in_storage',
      resolved,
    ],
    [
      'a link in BACKUP_DIR leading into STORAGE_DIR',
      () => linkIntoStorage(),
      400,
      'backup_target_in_storage',
      () => path.join(fs.realpathSync(storage), 'inside'),
    ],
    ['a non-empty directory', () => nonEmptyDirectory(), 409, 'backup_target_not_empty', resolved],
    ['an existing file', () => existingFile(), 409, 'backup_target_not_a_directory', resolved],
  ])('refuses %s', async (_what, directory, status, code, refused) => {
    const requested = directory();
    const res = await start({ directory: requested }).expect(status);
    expect(res.body.error.code).toBe(code);
    // Named by the setting, not the machine's path (no absolute path reaches a client).
    expect(res.body.error.details.directory).toBe(named(refused(requested)));
    expect((await http().get('/v1/backups').expect(200)).body.backups).toEqual([]);
  });

  function linkIntoStorage(): string {
    fs.symlinkSync(storage, path.join(backups, 'link'));
    return 'link/inside';
  }
  function nonEmptyDirectory(): string {
    fs.mkdirSync(path.join(backups, 'full'));
    fs.writeFileSync(path.join(backups, 'full', 'keep.txt'), 'mine');
    return 'full';
  }
  function existingFile(): string {
    fs.writeFileSync(path.join(backups, 'a-file'), 'mine');
    return 'a-file';
  }

  it.each([
    [{ directory: 5 }, /directory must be a string/],
    [{ directory: '   ' }, /directory must not be blank/],
    [{ directory: 'a\u0000b' }, /NUL/],
    [{ directory: 'x'.repeat(1025) }, /directory must be shorter than or equal to 1024 characters/],
    [{ dir: 'x' }, /property dir should not exist/],
  ])('refuses the body %j with a 400', async (body, message) => {
    const res = await start(body).expect(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toMatch(message);
  });

  it('answers 404 for an unknown backup', async () => {
    const res = await http().get('/v1/backups/no-such-backup').expect(404);
    expect(res.body.error).toMatchObject({
      code: 'backup_not_found',
      details: { id: 'no-such-backup' },
    });
  });

  it('runs one backup at a time: 409 while one runs, and a running backup shows its state', async () => {
    const release = files.hold();
    let id = '';
    try {
      const first = await start({ directory: 'first' }).expect(202);
      id = first.body.id;
      expect(first.body).toMatchObject({
        state: 'running',
        phase: 'preparing',
        directory: path.join(backups, 'first'),
      });
      const second = await start({ directory: 'second' }).expect(409);
      expect(second.body.error).toMatchObject({ code: 'backup_in_progress', details: { id } });
      const running = await http().get(`/v1/backups/${id}`).expect(200);
      expect(running.body.state).toBe('running');
    } finally {
      release();
    }
    expect((await settle(id)).state).toBe('done');
    expect(fs.existsSync(path.join(backups, 'second'))).toBe(false);
    await start({ directory: 'second' })
      .expect(202)
      .then((r) => settle(r.body.id as string));
    expect(fs.existsSync(path.join(backups, 'second', 'manifest.json'))).toBe(true);
  });

  it('fails with the reason when the directory cannot be created, leaving nothing behind', async () => {
    fs.writeFileSync(path.join(backups, 'blocker'), 'a file where a directory is needed');
    const res = await start({ directory: 'blocker/inside' }).expect(202);
    const done = await settle(res.body.id);
    expect(done.state).toBe('failed');
    expect(done.reason).toMatch(/^creating the backup directory failed: ENOTDIR/);
    expect(fs.readFileSync(path.join(backups, 'blocker'), 'utf8')).toBe(
      'a file where a directory is needed',
    );
  });

  it.each([
    [
      'while copying an index snapshot',
      'index-copy',
      /^copying the index snapshots failed: ENOSPC/,
    ],
    [
      'while writing the manifest',
      'manifest',
      /^moving the files into place and writing the manifest failed: ENOSPC/,
    ],
  ] as const)(
    'fails cleanly when the disk fills up %s; the live database is untouched',
    async (_when, at, reason) => {
      const before = fs.readdirSync(backups).sort();
      files.diskFullAt = at;
      const res = await start({ directory: `full-disk-${at}` }).expect(202);
      const done = await settle(res.body.id);
      expect(done.state).toBe('failed');
      expect(done.reason).toMatch(reason);
      expect(done.manifest).toBeUndefined();
      expect(fs.readdirSync(backups).sort()).toEqual(before);
      // The live storage holds only its own files, and goes on taking writes and answering searches.
      expect(
        fs.readdirSync(storage).filter((f) => !/^(ragd\.sqlite(-wal|-shm)?|indexes|jobs)$/.test(f)),
      ).toEqual([]);
      expect(
        fs
          .readdirSync(path.join(storage, 'indexes'))
          .every((f) => /^\d+\.(hnsw|meta\.json)$/.test(f)),
      ).toBe(true);
      const n = at === 'manifest' ? 7 : 8;
      await http()
        .post('/v1/collections/notes/documents')
        .send({ documents: [doc(n)] })
        .expect(201);
      const found = await http()
        .post('/v1/collections/notes/search')
        .send({ query: tag(n), mode: 'lexical' })
        .expect(200);
      expect(found.body.results[0].documentId).toBe(`doc-${n}`);
    },
  );

  it('leaves an existing empty target directory empty when the backup fails', async () => {
    fs.mkdirSync(path.join(backups, 'empty'));
    files.diskFullAt = 'manifest';
    const res = await start({ directory: 'empty' }).expect(202);
    expect((await settle(res.body.id)).state).toBe('failed');
    expect(fs.readdirSync(path.join(backups, 'empty'))).toEqual([]);
  });

  it('copies an index snapshot again when the server replaced it during the copy', async () => {
    files.snapshotReplacements = 1;
    const res = await start({ directory: 'replaced-once' }).expect(202);
    const done = await settle(res.body.id);
    expect(done.state).toBe('done');
    expect(done.progress!.indexFiles).toEqual({ copied: 2, total: 2 });
    expect(done.manifest!.collections[0]!.indexSnapshot).toBe(true);
    const dir = path.join(backups, 'replaced-once');
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'indexes', '1.meta.json'), 'utf8'));
    expect(sha256(path.join(dir, 'indexes', '1.hnsw'))).toBe(meta.sha256);
  });

  it('leaves out a snapshot that keeps changing, and a server restored from the backup rebuilds that index', async () => {
    files.snapshotReplacements = 3;
    const res = await start({ directory: 'no-snapshot' }).expect(202);
    const done = await settle(res.body.id);
    expect(files.snapshotReplacements).toBe(0);
    expect(done.state).toBe('done');
    expect(done.progress!.indexFiles).toEqual({ copied: 0, total: 2 });
    expect(done.manifest!.collections[0]!.indexSnapshot).toBe(false);
    expect(done.manifest!.files).toBe(1);
    const dir = path.join(backups, 'no-snapshot');
    expect(fs.readdirSync(path.join(dir, 'indexes'))).toEqual([]);
    const restored: INestApplication<App> = await createTestApp({ ...TINY_ENV, STORAGE_DIR: dir });
    try {
      const c = await until(
        'the rebuilt index',
        async () =>
          (await request(restored.getHttpServer()).get('/v1/collections/notes').expect(200))
            .body as CollectionView,
        (b) => b.index.state === 'ready',
      );
      expect(c.counts.vectors).toBeGreaterThanOrEqual(3);
      expect(c.counts.indexed).toBe(c.counts.vectors);
      const dense = await request(restored.getHttpServer())
        .post('/v1/collections/notes/search')
        .send({ query: doc(2).text, mode: 'dense', topK: 1 })
        .expect(200);
      expect(dense.body.results[0].documentId).toBe('doc-2');
    } finally {
      await restored.close();
    }
  });

  it('lists the backups of this run, failed ones with their reason, newest first', async () => {
    const list = (await http().get('/v1/backups').expect(200)).body.backups as {
      state: string;
      reason?: string;
      startedAt: string;
      origin: string;
    }[];
    expect(list.filter((b) => b.state === 'failed')).toHaveLength(4);
    expect(list.filter((b) => b.state === 'done')).toHaveLength(4);
    expect(list.every((b) => b.origin === 'this_run')).toBe(true);
    expect(
      list.filter((b) => b.state === 'failed').every((b) => typeof b.reason === 'string'),
    ).toBe(true);
    const times = list.map((b) => b.startedAt);
    expect(times).toEqual([...times].sort().reverse());
  });
});

describe('a backup running when the server shuts down (e2e)', () => {
  it('stops, removes what it wrote, and says so', async () => {
    tinyModelsPresent();
    const backups = tempDir('ragd-backups-');
    const app: INestApplication<App> = await createTestApp(
      { ...TINY_ENV, STORAGE_DIR: tempDir(), BACKUP_DIR: backups, PRELOAD_MODELS: 'false' },
      [{ provide: BackupFiles, useClass: FakeBackupFiles }],
    );
    const files: FakeBackupFiles = app.get(BackupFiles);
    const sut = app.get(BackupService);
    const release = files.hold();
    const res = await request(app.getHttpServer())
      .post('/v1/backups')
      .send({ directory: 'interrupted' })
      .expect(202, /"state":"running"/);
    // Held after creating the directory (and before its .partial), as a backup under way would be.
    await until(
      'the backup directory',
      () => fs.existsSync(path.join(backups, 'interrupted')),
      (x) => x,
    );
    const closing = app.close();
    release();
    await closing;
    const backup = await sut.get(res.body.id as string);
    expect(backup).toMatchObject({
      state: 'failed',
      reason: 'stopped: the server is shutting down',
    });
    expect(fs.readdirSync(backups)).toEqual([]);
  });
});

describe('backup retention (BACKUP_KEEP) and free space (e2e)', () => {
  const storage = tempDir();
  const backups = tempDir('ragd-backups-');
  let app: INestApplication<App>;
  const http = () => request(app.getHttpServer());
  const backup = async (directory: string) => {
    const id = (await http().post('/v1/backups').send({ directory }).expect(202)).body.id as string;
    return until(
      'the backup',
      async () => (await http().get(`/v1/backups/${id}`).expect(200)).body as BackupView,
      (b) => b.state !== 'running',
    );
  };

  beforeAll(async () => {
    tinyModelsPresent();
    const env = { ...TINY_ENV, STORAGE_DIR: storage, BACKUP_DIR: backups, BACKUP_KEEP: '2' };
    app = await createTestApp({ ...env, PRELOAD_MODELS: 'false' });
    await http().post('/v1/collections').send({ name: 'notes' }).expect(201);
    await http()
      .post('/v1/collections/notes/documents')
      .send({ documents: [doc(1), doc(2)] })
      .expect(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('keeps the newest BACKUP_KEEP backups in BACKUP_DIR and removes the older ones', async () => {
    for (const name of ['b1', 'b2', 'b3']) expect((await backup(name)).state).toBe('done');
    expect(fs.readdirSync(backups).sort()).toEqual(['b2', 'b3']);
    const listed = (await http().get('/v1/backups').expect(200)).body as { backups: BackupView[] };
    const views = listed.backups.map((b) => path.basename(b.directory));
    expect(views.sort()).toEqual(['b2', 'b3']);
  });

  it('refuses a backup the target file system has no room for (507), before writing anything', async () => {
    // A sparse file: the storage looks larger than the free space, and takes none of it.
    const ballast = path.join(storage, 'ballast.bin');
    const free = fs.statfsSync(backups);
    fs.writeFileSync(ballast, '');
    fs.truncateSync(ballast, free.bavail * free.bsize + 2 ** 30);
    try {
      const res = await http().post('/v1/backups').send({ directory: 'too-big' }).expect(507);
      expect(res.body.error.code).toBe('insufficient_storage');
      expect(res.body.error.message).toMatch(/^Not enough free space for a backup: it needs about/);
      expect(fs.existsSync(path.join(backups, 'too-big'))).toBe(false);
    } finally {
      fs.rmSync(ballast);
    }
    expect((await backup('fits')).state).toBe('done');
  });
});
