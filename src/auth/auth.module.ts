import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthGuard } from './auth.guard';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { KeysController } from './keys.controller';
import { UploadLimitsService } from './upload-limits.service';
import { FixedWindowThrottlerStorage } from './window-throttler.storage';

/**
 * The trust boundary's request side: API keys and their routes, and what the global AuthGuard
 * needs (registered as APP_GUARD in the app module). Host and Origin checks are express middleware
 * (host-origin.middleware.ts), applied in configureApp.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [SETTINGS],
      useFactory: (settings: Settings) => ({
        throttlers: [{ ttl: 60_000, limit: Math.max(1, settings.security.rateLimitPerMinute) }],
        skipIf: () => settings.security.rateLimitPerMinute === 0,
        storage: new FixedWindowThrottlerStorage(),
      }),
    }),
  ],
  controllers: [KeysController],
  providers: [ApiKeysRepository, ApiKeysService, KeyThrottlerGuard, UploadLimitsService, AuthGuard],
  exports: [ApiKeysService, AuthGuard],
})
export class AuthModule {}
