import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApiModule } from './api/api.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { VALIDATION_OPTIONS, flatten } from './api/validate-body';
import { BadRequestException } from '@nestjs/common';
import { BackupModule } from './backup/backup.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { StorageModule } from './common/storage.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EvaluationModule } from './evaluation/evaluation.module';
import { ConversationsModule } from './conversations/conversations.module';
import { HealthModule } from './health/health.module';
import { OpenAiModule } from './openai/openai.module';
import { ReembedModule } from './reembed/reembed.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    StorageModule,
    HealthModule,
    ApiModule,
    EvaluationModule,
    ReembedModule,
    OpenAiModule,
    ConversationsModule,
    BackupModule,
    AuthModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    { provide: APP_GUARD, useExisting: AuthGuard },
    {
      provide: APP_PIPE,
      useFactory: () =>
        new ValidationPipe({
          ...VALIDATION_OPTIONS,
          transform: true,
          exceptionFactory: (errors) => new BadRequestException(flatten(errors)),
        }),
    },
  ],
})
export class AppModule {}
