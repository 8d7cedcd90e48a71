import Database from 'better-sqlite3';
import * as path from 'node:path';
import { ApiKeysRepository } from '../../src/auth/api-keys.repository';
import { ApiKeysService, NoApiKeyError } from '../../src/auth/api-keys.service';
import { UnauthorizedError } from '../../src/common/errors';
import { loadSettings } from '../../src/config/settings';
import { DATABASE_FILE, DatabaseService } from '../../src/database/database.service';
import { tempDir } from '../support/test-app';

describe('API keys in SQLite (integration)', () => {
  const open: { close: () => void }[] = [];
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });

  function service(dir: string, env: Record<string, string> = {}) {
    const settings = loadSettings({ STORAGE_DIR: dir, ...env });
    const database = new DatabaseService(settings);
    const sut = new ApiKeysService(new ApiKeysRepository(database), settings);
    open.push({
      close: () => {
        sut.onModuleDestroy();
        database.onApplicationShutdown();
      },
    });
    return sut;
  }

  it('stores only the hash, and knows the key after a restart', () => {
    const dir = tempDir();
    const first = service(dir);
    expect(first.enabled).toBe(false);
    const made = first.create('ops', ['admin', 'admin'], undefined);
    expect(made.scopes).toEqual(['admin']);
    expect(first.enabled).toBe(true);
    open.pop()!.close();

    const raw = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
    const rows = raw.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
    raw.close();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(made.key.slice(22));
    expect((rows[0]!.hash as Buffer).length).toBe(32);

    const again = service(dir);
    expect(again.authenticate(`Bearer ${made.key}`).keyId).toBe(made.id);
    expect(() => again.authenticate(`Bearer ${made.key}x`)).toThrow(UnauthorizedError);
  });

  it('writes last-used times once per flush, not per request', () => {
    const dir = tempDir();
    const sut = service(dir);
    const made = sut.create('r', ['read:*'], undefined);
    const t = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 0; i < 100; i++) sut.authenticate(`Bearer ${made.key}`, t + i);
    expect(sut.list()[0]!.lastUsedAt).toBe(new Date(t + 99).toISOString());
    const stored = () => {
      const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
      const row = db.prepare('SELECT last_used_at FROM api_keys').get() as { last_used_at: string };
      db.close();
      return row.last_used_at;
    };
    expect(stored()).toBeNull();
    sut.flushLastUsed();
    expect(stored()).toBe(new Date(t + 99).toISOString());
  });

  it('refuses expired keys, and checks RAGD_API_KEY after the stored keys', () => {
    const sut = service(tempDir(), { RAGD_API_KEY: 'x'.repeat(40) });
    expect(sut.enabled).toBe(true);
    expect(sut.authenticate(`Bearer ${'x'.repeat(40)}`).admin).toBe(true);
    const soon = sut.create('soon', ['read:a'], '2030-01-01T00:00:00Z', new Date('2029-01-01'));
    const before = Date.parse('2029-12-31T23:59:59Z');
    expect(sut.authenticate(`Bearer ${soon.key}`, before).scopes).toEqual(['read:a']);
    expect(() => sut.authenticate(`Bearer ${soon.key}`, before + 1000)).toThrow(/expired/);
    expect(() => sut.authenticate(undefined)).toThrow(/Authorization: Bearer/);
  });

  it('refuses to start beyond loopback without a key, and to delete the last one there', () => {
    const dir = tempDir();
    expect(() => service(dir, { HOST: '0.0.0.0' })).toThrow(NoApiKeyError);
    const onLoopback = service(dir);
    const made = onLoopback.create('ops', ['admin'], undefined);
    open.pop()!.close();
    const sut = service(dir, { HOST: '0.0.0.0' });
    expect(() => sut.revoke(made.id)).toThrow(/last one/);
    const second = sut.create('ops2', ['admin'], undefined);
    sut.revoke(made.id);
    expect(sut.list().map((k) => k.id)).toEqual([second.id]);
    expect(() => sut.revoke('nope')).toThrow(/does not exist/);
  });
});
