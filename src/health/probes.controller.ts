import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Caller, RequestCaller } from '../auth/caller';
import { Public } from '../auth/require-scope.decorator';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { DatabaseService } from '../database/database.service';
import { schemaState } from '../database/schema-state';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { Generator } from '../engines/generator';
import type { ModelStatus } from '../engines/model-status';
import { StorageMonitor } from '../storage/storage-monitor.service';

class LiveDto {
  @ApiProperty({ enum: ['ok'] }) status!: string;
  @ApiProperty() uptimeSeconds!: number;
}

class ReadyChecksDto {
  @ApiProperty({ description: 'The SQLite database is open and answers' }) database!: boolean;
  @ApiProperty({ description: 'Every migration of this build is applied' }) migrations!: boolean;
  @ApiProperty({ example: 7 }) schemaVersion!: number;
  @ApiProperty({ example: 7 }) expectedSchemaVersion!: number;
}

class ReadyDto {
  @ApiProperty({
    enum: ['ready', 'degraded', 'not_ready'],
    description:
      'degraded: ready, serving in a reduced mode (lexical search, extractive answers, storage low or failing); not_ready: 503',
  })
  status!: string;
  @ApiProperty({ type: ReadyChecksDto }) checks!: ReadyChecksDto;
  @ApiPropertyOptional({
    type: [String],
    description: 'Each reduced mode in effect and why',
    example: ['lexical search: embedding model x is unavailable: not found in MODELS_DIR'],
  })
  degraded?: string[];
}

/**
 * Probes for orchestrators: live (the process answers; nothing else is looked at) and ready (the
 * storage is open and migrated: send traffic). A server without a model or low on space is ready
 * and says how it is degraded; only a database that does not answer makes it not ready (503).
 */
@ApiTags('health')
@Controller('health')
export class ProbesController {
  private readonly started = Date.now();

  constructor(
    private readonly database: DatabaseService,
    private readonly embedder: EmbeddingEngine,
    private readonly generator: Generator,
    private readonly storage: StorageMonitor,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  @Get('live')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers (no other check)' })
  @ApiOkResponse({ type: LiveDto })
  live(): LiveDto {
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.started) / 1000) };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness: storage open and migrations applied; degraded modes reported, not failed',
    description:
      'Public. Once API keys are on, only an admin key gets the reasons of the degraded modes (they may name paths).',
  })
  @ApiOkResponse({ type: ReadyDto })
  @ApiServiceUnavailableResponse({ type: ReadyDto, description: 'not_ready' })
  ready(@Res({ passthrough: true }) res: Response, @RequestCaller() caller: Caller): ReadyDto {
    const schema = schemaState(this.database.db);
    const checks = {
      database: schema.open,
      migrations: schema.open && schema.applied >= schema.expected,
      schemaVersion: schema.applied,
      expectedSchemaVersion: schema.expected,
    };
    if (!checks.database || !checks.migrations) {
      res.status(503);
      return { status: 'not_ready', checks };
    }
    const degraded = this.degradedModes();
    res.status(200);
    return degraded.length > 0
      ? { status: 'degraded', checks, ...(caller.admin ? { degraded } : {}) }
      : { status: 'ready', checks };
  }

  private degradedModes(): string[] {
    const { embedding, generation } = this.settings;
    const out: string[] = [];
    const why = (s: ModelStatus) =>
      `${s.task} model ${s.id} is ${s.state}${s.reason ? `: ${s.reason}` : ''}`;
    const emb = this.embedder.status({ id: embedding.model, dtype: embedding.dtype });
    if (emb.state === 'unavailable') out.push(`lexical search: ${why(emb)}`);
    const gen = this.generator.status({ id: generation.model, dtype: generation.dtype });
    if (gen.state === 'unavailable') out.push(`extractive answers: ${why(gen)}`);
    const storage = this.storage.status();
    if (storage.status !== 'ok')
      out.push(`storage ${storage.status}${storage.reason ? `: ${storage.reason}` : ''}`);
    return out;
  }
}
