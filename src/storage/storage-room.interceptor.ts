import { ApiResponse } from '@nestjs/swagger';
import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { StorageMonitor } from './storage-monitor.service';

/**
 * Marks a route that adds data (documents, collections, a new vector generation): it is refused
 * with 507 before anything is stored or embedded when the storage is full, failing, or below
 * STORAGE_MIN_FREE_MB. Reads and deletes are never refused this way. Put it above @Idempotent(), so
 * that a retry of a request that already succeeded gets its stored answer, not a 507.
 */
export function AddsData() {
  return applyDecorators(
    UseInterceptors(StorageRoomInterceptor),
    ApiResponse({
      status: 507,
      description:
        'insufficient_storage: the storage file system is full or below STORAGE_MIN_FREE_MB',
    }),
    ApiResponse({
      status: 503,
      description: 'storage_read_only: the storage directory cannot be written',
    }),
  );
}

@Injectable()
export class StorageRoomInterceptor implements NestInterceptor {
  constructor(private readonly storage: StorageMonitor) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.storage.assertRoomForNewData();
    return next.handle();
  }
}
