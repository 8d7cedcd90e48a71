import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AnsweringModule } from './answering/answering.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CollectionsModule } from './collections/collections.module';
import { IngestionModule } from './ingestion/ingestion.module';
import { RetrievalModule } from './retrieval/retrieval.module';
import { VALIDATION_OPTIONS, flatten } from './http/validate-body';
import { BadRequestException } from '@nestjs/common';
import { BackupModule } from './backup/backup.module';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { StorageModule } from './storage/storage.module';
import { ConfigModule } from './config/config.module';
import type { Settings } from './config/settings';
import { DatabaseModule } from './database/database.module';
import { EvaluationModule } from './evaluation/evaluation.module';
import { ConversationsModule } from './conversations/conversations.module';
import { HealthModule } from './health/health.module';
import { OpenAiModule } from './openai/openai.module';
import { ReembedModule } from './reembed/reembed.module';
import { MetricsModule } from './metrics/metrics.module';
import { LoggingModule } from './logging/logging.module';
import { McpModule } from './mcp/mcp.module';

@Module({
  imports: [
    LoggingModule,
    DatabaseModule,
    StorageModule,
    HealthModule,
    MetricsModule,
    CollectionsModule,
    IngestionModule,
    RetrievalModule,
    AnsweringModule,
    EvaluationModule,
    ReembedModule,
    OpenAiModule,
    ConversationsModule,
    BackupModule,
    AuthModule,
    McpModule,
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
export class AppModule {
  /** The app on settings parsed once by the caller (main.ts, or a test). */
  static forRoot(settings: Settings): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.forRoot(settings)] };
  }
}
