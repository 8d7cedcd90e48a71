import { Module } from '@nestjs/common';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { BackupFiles } from './adapters/backup-files';
import { SqliteBackup } from './adapters/sqlite-backup';
import { BackupController } from './backup.controller';
import { BackupService } from './backup.service';

@Module({
  imports: [VectorIndexModule],
  controllers: [BackupController],
  providers: [BackupService, BackupFiles, SqliteBackup],
})
export class BackupModule {}
