import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key the server makes starts with this, so a leaked one is recognisable (secret scanners). */
export const KEY_PREFIX = 'ragd_';

/** ragd_<id: 16 hex>_<secret: 64 hex, 256 random bits>. The id names the key in GET /v1/keys. */
const KEY_FORMAT = /^ragd_([0-9a-f]{16})_[0-9a-f]{64}$/;

export interface NewApiKey {
  id: string;
  /** The key itself: shown once, never stored. */
  key: string;
  /** SHA-256 of the key: what is stored. */
  hash: Buffer;
}

/** A new random key (64 bits of id, 256 bits of secret) with its hash. */
export function generateApiKey(): NewApiKey {
  const id = randomBytes(8).toString('hex');
  const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('hex')}`;
  return { id, key, hash: hashApiKey(key) };
}

/**
 * SHA-256 of a key. A slow password hash is not needed: the keys are 256 random bits, so the hash
 * cannot be reversed by guessing, and a fast one keeps checking a key per request cheap (the
 * one-shot crypto.hash takes about half the time of a createHash object).
 */
export function hashApiKey(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/** The id part of a key the server made, or undefined for anything else. */
export function apiKeyId(token: string): string | undefined {
  return KEY_FORMAT.exec(token)?.[1];
}

/** Whether two hashes are equal, in time that does not depend on where they differ. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header; undefined if there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}
