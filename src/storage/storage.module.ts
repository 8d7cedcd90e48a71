import { Global, Module } from '@nestjs/common';
import { StorageMonitor } from './storage-monitor.service';

/** The storage monitor, for every module: the exception filter, /health, the routes that add data, snapshots, the embedding queue. */
@Global()
@Module({ providers: [StorageMonitor], exports: [StorageMonitor] })
export class StorageModule {}
