import { Injectable } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BackupFiles, CopiedFile } from '../../src/backup/adapters/backup-files';
import { MANIFEST_FILE } from '../../src/backup/backup-manifest';

function diskFull(op: string, file: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`ENOSPC: no space left on device, ${op} '${file}'`);
  e.code = 'ENOSPC';
  e.errno = -28;
  return e;
}

/**
 * The real BackupFiles, with controls for tests: `diskFullAt` makes a step fail the way a full disk
 * does (after part of the file is written); `snapshotReplacements` makes that many of the next index
 * copies come out as another version of the file, as when the server renames a new snapshot into
 * place during the copy; `hold()` pauses the next backup right at its start, until the returned
 * function is called.
 */
@Injectable()
export class FakeBackupFiles extends BackupFiles {
  diskFullAt: 'index-copy' | 'manifest' | undefined;
  snapshotReplacements = 0;
  private gate: Promise<void> | undefined;

  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  override async makeDirectory(dir: string): Promise<void> {
    await this.gate;
    return super.makeDirectory(dir);
  }

  override async copy(from: string, to: string): Promise<CopiedFile> {
    if (this.diskFullAt === 'index-copy') {
      await fs.promises.writeFile(to, Buffer.alloc(100));
      throw diskFull('write', to);
    }
    const copied = await super.copy(from, to);
    if (this.snapshotReplacements === 0) return copied;
    this.snapshotReplacements--;
    await fs.promises.appendFile(to, 'a newer snapshot');
    return this.digest(to);
  }

  override async writeDurably(file: string, data: string): Promise<void> {
    if (this.diskFullAt === 'manifest' && path.basename(file) === MANIFEST_FILE)
      throw diskFull('write', `${file}.tmp`);
    return super.writeDurably(file, data);
  }
}
