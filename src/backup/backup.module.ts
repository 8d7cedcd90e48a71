import { Module } from '@nestjs/common';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { BackupFiles } from './adapters/backup-files';
import { SqliteBackup } from './adapters/sqlite-backup';
import { BackupController } from './backup.controller';
import { BackupRunner } from './backup-runner';
import { BackupService } from './backup.service';

@Module({
  imports: [VectorStoreModule],
  controllers: [BackupController],
  providers: [BackupService, BackupRunner, BackupFiles, SqliteBackup],
})
export class BackupModule {}
