import * as path from 'node:path';
import type { ExportedFile, ExportSink } from '../vector-store/vector-store';
import { BackupFiles } from './adapters/backup-files';

/**
 * Where the vector store's export goes in a backup: files under the backup's (partial) directory at
 * the names the store gives, copied and written through BackupFiles (hashed, fsynced).
 */
export class BackupExportSink implements ExportSink {
  /** Top-level entries the export created, to be moved into place with the database copy. */
  readonly entries = new Set<string>();

  constructor(
    private readonly files: BackupFiles,
    private readonly root: string,
  ) {}

  async directory(name: string): Promise<void> {
    await this.files.makeDirectories(this.at(name));
  }

  async copyFile(from: string, name: string): Promise<ExportedFile> {
    await this.files.makeDirectories(path.dirname(this.at(name)));
    return { name, ...(await this.files.copy(from, this.at(name))) };
  }

  async writeFile(name: string, data: string): Promise<ExportedFile> {
    await this.files.makeDirectories(path.dirname(this.at(name)));
    await this.files.writeDurably(this.at(name), data);
    return { name, ...(await this.files.digest(this.at(name))) };
  }

  async remove(name: string): Promise<void> {
    await this.files.remove(this.at(name));
  }

  private at(name: string): string {
    const parts = name.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..'))
      throw new Error(`the export named a file outside it: ${name}`);
    this.entries.add(parts[0]!);
    return path.join(this.root, ...parts);
  }
}
