import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fsyncDirAsync } from '../../../../common/fsync';
import { DownloadError, diskFull } from './download-error';
import type { HubClient, HubFile } from './hub-client';

/** Told as a file's bytes arrive (resumed bytes first, then each chunk). */
export interface FileProgress {
  /** The download of this file starts with `have` bytes already there, of `size` if known. */
  start(have: number, size: number | undefined): void;
  bytes(n: number): void;
}

/** What a fetched file was checked against. */
export interface FetchedFile {
  bytes: number;
  /** 'sha256' (LFS weights), 'git-sha1' (the blob id of other files), or nothing to check against. */
  checked: 'sha256' | 'git-sha1' | 'size' | 'none';
}

interface Expectation {
  size?: number;
  kind: 'sha256' | 'git-sha1' | 'none';
  hash?: string;
}

/**
 * Fetches one file of a model into `dest`, never leaving a partial or unverified file under that
 * name: bytes go to `<dest>.part`, a later try resumes it with a Range request, the whole is
 * checked against the size and hash the hub publishes (the listing's LFS SHA-256 or git blob id,
 * else X-Linked-Size / X-Linked-ETag / ETag), flushed to disk and only then renamed into place.
 * A file that does not match is deleted and the failure thrown.
 */
export async function fetchFile(
  hub: HubClient,
  model: string,
  commit: string,
  file: HubFile,
  dest: string,
  progress: FileProgress,
  signal?: AbortSignal,
): Promise<FetchedFile> {
  const part = `${dest}.part`;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  let have = await fs.stat(part).then(
    (s) => s.size,
    () => 0,
  );
  if (file.size !== undefined && have > file.size) {
    await fs.rm(part, { force: true });
    have = 0;
  }
  let expected = expectationOf(file);
  let hasher = hasherFor(expected);
  const what = `${file.path} of '${model}'`;

  if (file.size === undefined || have < file.size) {
    const res = await hub.file(model, commit, file.path, have, signal);
    if (res.start !== have) {
      // The server sent the whole file (it ignored the Range): start over.
      if (res.start !== 0) {
        res.body.destroy();
        throw new DownloadError('integrity', `${what}: the server resumed at the wrong byte`);
      }
      have = 0;
    }
    if (file.size === undefined && file.sha256 === undefined && file.gitOid === undefined)
      expected = expectationOf({ ...file, ...fromHeaders(res.size, res.etag) });
    else if (expected.size === undefined && res.size !== undefined)
      expected = { ...expected, size: res.size };
    hasher = hasherFor(expected);
    if (have > 0) await hashFile(part, hasher, signal);
    progress.start(have, expected.size);
    const handle = await fs.open(part, have > 0 ? 'a' : 'w');
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        hasher?.update(chunk);
        await handle.write(chunk);
        have += chunk.length;
        progress.bytes(chunk.length);
      }
      await handle.sync();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC')
        throw diskFull(`writing ${file.path} of '${model}'`);
      if (signal?.aborted) throw e;
      throw new DownloadError(
        'cut',
        `the connection to ${new URL(hub.endpoint).host} was cut after ${have}${expected.size !== undefined ? ` of ${expected.size}` : ''} bytes of ${what} (${(e as Error).message}); the next try resumes there`,
      );
    } finally {
      await handle.close();
    }
  } else {
    if (hasher) await hashFile(part, hasher, signal);
    progress.start(have, expected.size);
  }

  if (expected.size !== undefined && have !== expected.size) {
    if (have < expected.size)
      throw new DownloadError(
        'cut',
        `the download of ${what} ended after ${have} of ${expected.size} bytes; the next try resumes there`,
      );
    await fs.rm(part, { force: true });
    throw new DownloadError(
      'integrity',
      `${what} is ${have} bytes, the hub publishes ${expected.size}: refused and deleted`,
    );
  }
  if (hasher && expected.hash) {
    const got = hasher.digest('hex');
    if (got !== expected.hash) {
      await fs.rm(part, { force: true });
      throw new DownloadError(
        'integrity',
        `${what} does not match the ${expected.kind} the hub publishes (got ${got.slice(0, 12)}…, expected ${expected.hash.slice(0, 12)}…): refused and deleted`,
      );
    }
  }
  try {
    await fs.rename(part, dest);
    await fsyncDirAsync(path.dirname(dest));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC')
      throw diskFull(`placing ${file.path} of '${model}'`);
    throw e;
  }
  return {
    bytes: have,
    checked: expected.hash ? expected.kind : expected.size !== undefined ? 'size' : 'none',
  };
}

function expectationOf(file: Pick<HubFile, 'size' | 'sha256' | 'gitOid'>): Expectation {
  if (file.sha256) return { size: file.size, kind: 'sha256', hash: file.sha256.toLowerCase() };
  // A git blob id covers the size too, so it needs the size to be known.
  if (file.gitOid && file.size !== undefined)
    return { size: file.size, kind: 'git-sha1', hash: file.gitOid.toLowerCase() };
  return { size: file.size, kind: 'none' };
}

/** A published ETag counts as a hash only when it looks like one (64 hex: SHA-256, 40: git). */
function fromHeaders(size: number | undefined, etag: string | undefined): Partial<HubFile> {
  const out: Partial<HubFile> = size !== undefined ? { size } : {};
  if (etag && /^[0-9a-f]{64}$/i.test(etag)) out.sha256 = etag;
  else if (etag && /^[0-9a-f]{40}$/i.test(etag)) out.gitOid = etag;
  return out;
}

function hasherFor(e: Expectation): Hash | undefined {
  if (e.kind === 'sha256') return createHash('sha256');
  if (e.kind === 'git-sha1') return createHash('sha1').update(`blob ${e.size}\0`);
  return undefined;
}

/** Feeds what is already in `file` to the hash (a resumed download continues from there). */
async function hashFile(file: string, hasher: Hash | undefined, signal?: AbortSignal) {
  if (!hasher) return;
  for await (const chunk of createReadStream(file, { signal }) as AsyncIterable<Buffer>)
    hasher.update(chunk);
}
