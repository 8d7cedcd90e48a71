import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { PayloadTooLargeError } from '../../common/errors';
import { fsyncDirAsync, fsyncFileAsync } from '../../common/fsync';

/** A job input to keep: an uploaded file to move in, or a document to write as JSON. */
export type SpoolInput = { ordinal: number; uploaded: string } | { ordinal: number; json: unknown };

/**
 * Where a job's inputs wait until it ends: STORAGE_DIR/jobs/<job id>/<ordinal> (an uploaded file's
 * bytes, or the JSON of a text document). Uploads stream into `.incoming/` first and are moved in
 * when the job is accepted, so neither a large file nor a large batch is ever held in memory.
 */
export class JobSpool {
  readonly incoming: string;

  constructor(readonly root: string) {
    this.incoming = path.join(root, '.incoming');
  }

  /** Creates the folders; clears uploads a crashed request left in `.incoming`. */
  prepare(): void {
    fs.rmSync(this.incoming, { recursive: true, force: true });
    fs.mkdirSync(this.incoming, { recursive: true });
  }

  dirOf(jobId: string): string {
    return path.join(this.root, jobId);
  }

  fileOf(jobId: string, ordinal: number): string {
    return path.join(this.dirOf(jobId), String(ordinal));
  }

  /** The job folders on disk (for clearing those of jobs that ended or no longer exist). */
  jobIds(): string[] {
    try {
      return fs.readdirSync(this.root).filter((n) => !n.startsWith('.'));
    } catch {
      return [];
    }
  }

  /**
   * Puts a job's inputs in place durably: uploaded files (already synced by the upload) are moved
   * in, text documents written and synced, then the folder itself is synced. Only after this is the
   * job committed to SQLite and acknowledged.
   */
  async write(jobId: string, inputs: readonly SpoolInput[]): Promise<void> {
    const dir = this.dirOf(jobId);
    await fs.promises.mkdir(dir, { recursive: true });
    for (const input of inputs) {
      const target = this.fileOf(jobId, input.ordinal);
      if ('uploaded' in input) {
        await fs.promises.rename(input.uploaded, target);
      } else {
        await fs.promises.writeFile(target, JSON.stringify(input.json));
        await fsyncFileAsync(target);
      }
    }
    await fsyncDirAsync(dir);
    await fsyncDirAsync(this.root);
  }

  async readJson<T>(jobId: string, ordinal: number): Promise<T> {
    return JSON.parse(await fs.promises.readFile(this.fileOf(jobId, ordinal), 'utf8')) as T;
  }

  remove(jobId: string): void {
    fs.rm(this.dirOf(jobId), { recursive: true, force: true }, () => undefined);
  }

  /** A multer storage engine streaming each uploaded file into `.incoming/`, synced, with a limit on the request's total bytes. */
  uploads(maxRequestBytes: number): StorageEngine {
    return new SpoolStorage(this.incoming, maxRequestBytes);
  }
}

/** Per request (multer calls it per file): the request's running total is kept on the request. */
class SpoolStorage implements StorageEngine {
  private readonly totals = new WeakMap<Request, number>();

  constructor(
    private readonly dir: string,
    private readonly maxRequestBytes: number,
  ) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    const target = path.join(this.dir, randomUUID());
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      const total = (this.totals.get(req) ?? 0) + chunk.length;
      this.totals.set(req, total);
      if (total > this.maxRequestBytes) {
        file.stream.destroy(
          new PayloadTooLargeError(
            `The upload is larger than ${this.maxRequestBytes} bytes (JOB_MAX_REQUEST_BYTES)`,
            { limit: this.maxRequestBytes },
          ),
        );
      }
    });
    pipeline(file.stream, fs.createWriteStream(target, { flags: 'wx' }))
      .then(() => fsyncFileAsync(target))
      .then(
        () => callback(null, { path: target, size }),
        (e: unknown) => fs.rm(target, { force: true }, () => callback(e)),
      );
  }

  _removeFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error: Error | null) => void,
  ): void {
    fs.rm(file.path, { force: true }, (e) => callback(e));
  }
}
