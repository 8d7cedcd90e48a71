import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Backup, BackupPhase, BackupState, BackupSummary } from '../backup-state';

export class StartBackupDto {
  @ApiPropertyOptional({
    description:
      'Where to write the backup: a name or a path relative to BACKUP_DIR (absolute paths must lie inside BACKUP_DIR unless BACKUP_ALLOW_ANY_PATH=true; never inside STORAGE_DIR). It must not exist or be an empty directory. Default: BACKUP_DIR/<start time in UTC>, e.g. 2025-06-01T12-30-05-123Z.',
    example: 'before-upgrade',
    maxLength: 1024,
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @Matches(/\S/, { message: 'directory must not be blank' })
  @Matches(/^[^\0]*$/, { message: 'directory must not contain NUL characters' })
  directory?: string;
}

class PagesProgressDto {
  @ApiProperty({ description: 'SQLite pages copied so far' }) copied!: number;
  @ApiProperty({ description: 'Pages of the database (it may grow while it is copied)' })
  total!: number;
}

class FilesProgressDto {
  @ApiProperty() copied!: number;
  @ApiProperty({
    description: 'Index snapshot files found (a .hnsw and a .meta.json per collection)',
  })
  total!: number;
}

class BackupProgressDto {
  @ApiProperty({ type: PagesProgressDto }) sqlitePages!: PagesProgressDto;
  @ApiProperty({ type: FilesProgressDto }) indexFiles!: FilesProgressDto;
}

class BackupTimingsDto {
  @ApiPropertyOptional({ description: 'Writing the changed index snapshots' }) snapshotsMs?: number;
  @ApiPropertyOptional({ description: 'Copying the index snapshots' }) indexesMs?: number;
  @ApiPropertyOptional({ description: 'The SQLite online backup' }) sqliteMs?: number;
  @ApiPropertyOptional({ description: 'Reading the copy: counts, checksums' }) verifyMs?: number;
  @ApiPropertyOptional({ description: 'fsync, renames and the manifest' }) finishMs?: number;
  @ApiPropertyOptional() totalMs?: number;
}

class BackupCollectionDto {
  @ApiProperty() name!: string;
  @ApiProperty() documents!: number;
  @ApiProperty() chunks!: number;
  @ApiProperty() vectors!: number;
  @ApiProperty({
    description: 'Chunks without a vector yet (embedded when the restored server runs)',
  })
  pending!: number;
  @ApiProperty({
    description:
      'Whether an index snapshot is included (else the restored server rebuilds the index from the stored vectors)',
  })
  indexSnapshot!: boolean;
}

class BackupSummaryDto implements BackupSummary {
  @ApiProperty() formatVersion!: number;
  @ApiProperty({ description: 'Version of the server that wrote the backup' })
  serverVersion!: string;
  @ApiProperty({ description: 'Files listed in manifest.json (with sizes and sha256)' })
  files!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty({ type: [BackupCollectionDto] }) collections!: BackupCollectionDto[];
}

export class BackupDto implements Backup {
  @ApiProperty({ example: '3f0c5a8e-2f4b-4a53-9d0e-0c1f1d7e9a41' }) id!: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) state!: BackupState;
  @ApiPropertyOptional({
    enum: ['preparing', 'snapshots', 'indexes', 'sqlite', 'verifying', 'finishing'],
    description: 'While running: the step in progress',
  })
  phase?: BackupPhase;
  @ApiPropertyOptional({ description: 'When failed: why (nothing of the backup is left behind)' })
  reason?: string;
  @ApiProperty({
    description:
      'Absolute path of the backup directory: start the server with STORAGE_DIR set to it to restore',
  })
  directory!: string;
  @ApiProperty({
    enum: ['this_run', 'found'],
    description:
      'this_run: started by this server process; found: a complete backup found in BACKUP_DIR',
  })
  origin!: 'this_run' | 'found';
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @ApiPropertyOptional({
    type: BackupProgressDto,
    description: 'Of a backup of this server process',
  })
  progress?: BackupProgressDto;
  @ApiProperty({ type: BackupTimingsDto }) timings!: BackupTimingsDto;
  @ApiPropertyOptional({
    type: BackupSummaryDto,
    description: 'When done: what manifest.json records',
  })
  manifest?: BackupSummaryDto;
}

export class BackupListDto {
  @ApiProperty({ type: [BackupDto], description: 'Newest first' }) backups!: BackupDto[];
}
