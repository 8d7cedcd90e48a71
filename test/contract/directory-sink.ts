import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportSink, ExportedFile } from '../../src/vector-store/vector-store';

/** An export into a plain directory, as a backup writes it (without the backup's bookkeeping). */
export class DirectorySink implements ExportSink {
  constructor(readonly dir: string) {}

  async directory(name: string): Promise<void> {
    await fs.promises.mkdir(path.join(this.dir, name), { recursive: true });
  }

  async copyFile(from: string, name: string): Promise<ExportedFile> {
    await fs.promises.mkdir(path.dirname(path.join(this.dir, name)), { recursive: true });
    await fs.promises.copyFile(from, path.join(this.dir, name));
    return this.described(name);
  }

  async writeFile(name: string, data: string): Promise<ExportedFile> {
    await fs.promises.mkdir(path.dirname(path.join(this.dir, name)), { recursive: true });
    await fs.promises.writeFile(path.join(this.dir, name), data);
    return this.described(name);
  }

  async remove(name: string): Promise<void> {
    await fs.promises.rm(path.join(this.dir, name), { force: true });
  }

  private async described(name: string): Promise<ExportedFile> {
    const bytes = await fs.promises.readFile(path.join(this.dir, name));
    return { name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
}
