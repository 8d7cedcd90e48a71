import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
} from '@nestjs/common';
import {
  ApiKeyNotFoundError,
  InvalidInputError,
  LastApiKeyError,
  UnauthorizedError,
} from '../common/errors';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { apiKeyId, bearerToken, generateApiKey, hashApiKey, sameHash } from './api-key';
import { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { Caller } from './caller';
import { isLoopbackHost } from './request-boundary';
import { isScope } from './scopes';

/** How often last-used times are written to SQLite (at most once per key in this time). */
const LAST_USED_WRITE_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

interface KeyEntry {
  view: ApiKeyView;
  hash: Buffer;
  caller: Caller;
  expiresAtMs: number | null;
  /** Last use not yet written to SQLite (ms), if any. */
  unwritten?: number;
}

/** Thrown at start-up: the server would listen beyond loopback with no key to guard it. */
export class NoApiKeyError extends Error {}

/**
 * API keys: made, listed and revoked here, held in memory (SQLite keeps their hashes, so a restart
 * knows them) and checked on every request. Auth is on once a key exists or RAGD_API_KEY is set.
 */
@Injectable()
export class ApiKeysService implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger('ApiKeys');
  private readonly keys = new Map<string, KeyEntry>();
  private readonly envHash: Buffer | undefined;
  private readonly envCaller = Caller.key('env', ['admin']);
  private readonly flushTimer: NodeJS.Timeout;

  constructor(
    private readonly repo: ApiKeysRepository,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {
    const env = settings.security.apiKey;
    this.envHash = env === undefined ? undefined : hashApiKey(env);
    for (const row of repo.all()) this.keys.set(row.id, entryOf(row));
    if (!this.enabled && !isLoopbackHost(settings.host)) {
      throw new NoApiKeyError(
        `HOST=${settings.host} is not a loopback address and no API key is configured: set RAGD_API_KEY to an admin key (at least 32 characters, e.g. \`openssl rand -hex 32\`), or create a key with POST /v1/keys while listening on 127.0.0.1, or listen on HOST=127.0.0.1`,
      );
    }
    this.flushTimer = setInterval(() => this.flushLastUsed(), LAST_USED_WRITE_MS);
    this.flushTimer.unref();
  }

  /** Whether requests need a key: one exists in the database, or RAGD_API_KEY is set. */
  get enabled(): boolean {
    return this.envHash !== undefined || this.keys.size > 0;
  }

  /**
   * The caller of a request with this Authorization header: OPEN while no key is configured;
   * else the key's, or 401 for a missing, unknown or expired key.
   */
  authenticate(authorization: string | undefined, now = Date.now()): Caller {
    if (!this.enabled) return Caller.OPEN;
    const token = bearerToken(authorization);
    if (token === undefined) {
      throw new UnauthorizedError(
        authorization === undefined
          ? 'This server needs an API key: send Authorization: Bearer <key>'
          : 'The Authorization header must be "Bearer <key>"',
      );
    }
    const hash = hashApiKey(token);
    const id = apiKeyId(token);
    const entry = id === undefined ? undefined : this.keys.get(id);
    if (entry && sameHash(entry.hash, hash)) {
      if (entry.expiresAtMs !== null && entry.expiresAtMs <= now)
        throw new UnauthorizedError(
          `API key '${entry.view.id}' expired at ${entry.view.expiresAt}`,
        );
      entry.unwritten = now;
      return entry.caller;
    }
    if (this.envHash && sameHash(this.envHash, hash)) return this.envCaller;
    throw new UnauthorizedError('Unknown API key');
  }

  /** A new key: the view and, this once, the key itself. */
  create(
    name: string,
    scopes: readonly string[],
    expiresAt: string | undefined,
    now = new Date(),
  ): ApiKeyView & { key: string } {
    const bad = scopes.filter((s) => !isScope(s));
    if (bad.length > 0)
      throw new InvalidInputError(`Not a scope: ${bad.join(', ')}`, { scopes: bad });
    if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime())
      throw new InvalidInputError('expiresAt must be in the future', { expiresAt });
    const made = generateApiKey();
    const row: ApiKeyRow = {
      id: made.id,
      name,
      hash: made.hash,
      scopes: JSON.stringify([...new Set(scopes)]),
      created_at: now.toISOString(),
      expires_at: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
      last_used_at: null,
    };
    this.repo.insert(row);
    const entry = entryOf(row);
    this.keys.set(row.id, entry);
    this.logger.log(`API key ${row.id} (${name}) created with scopes ${row.scopes}`);
    return { ...entry.view, key: made.key };
  }

  list(): ApiKeyView[] {
    return [...this.keys.values()].map((e) => ({
      ...e.view,
      lastUsedAt:
        e.unwritten === undefined ? e.view.lastUsedAt : new Date(e.unwritten).toISOString(),
    }));
  }

  revoke(id: string): void {
    if (!this.keys.has(id)) throw new ApiKeyNotFoundError(id);
    if (this.keys.size === 1 && this.envHash === undefined && !isLoopbackHost(this.settings.host))
      throw new LastApiKeyError(id, this.settings.host);
    this.repo.delete(id);
    this.keys.delete(id);
    this.logger.log(`API key ${id} revoked`);
  }

  /** Writes the last-used times gathered since the last write, in one transaction. */
  flushLastUsed(): void {
    const uses: { id: string; at: string }[] = [];
    for (const e of this.keys.values()) {
      if (e.unwritten === undefined) continue;
      e.view.lastUsedAt = new Date(e.unwritten).toISOString();
      e.unwritten = undefined;
      uses.push({ id: e.view.id, at: e.view.lastUsedAt });
    }
    if (uses.length === 0) return;
    try {
      this.repo.touch(uses);
    } catch (e) {
      this.logger.warn(`Could not record when API keys were last used: ${(e as Error).message}`);
    }
  }

  beforeApplicationShutdown(): void {
    this.flushLastUsed();
  }

  onModuleDestroy(): void {
    clearInterval(this.flushTimer);
  }
}

function entryOf(row: ApiKeyRow): KeyEntry {
  const scopes = JSON.parse(row.scopes) as string[];
  return {
    view: {
      id: row.id,
      name: row.name,
      scopes,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
    },
    hash: Buffer.from(row.hash),
    caller: Caller.key(row.id, scopes),
    expiresAtMs: row.expires_at === null ? null : Date.parse(row.expires_at),
  };
}
