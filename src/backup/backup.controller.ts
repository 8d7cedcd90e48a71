import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorDto } from '../http/error.dto';
import { BackupService } from './backup.service';
import { BackupDto, BackupListDto, StartBackupDto } from './dto/backup.dto';

@ApiTags('backups')
@RequireScope('admin')
@Controller('v1/backups')
export class BackupController {
  constructor(private readonly backups: BackupService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start an online backup of everything (SQLite database and index snapshots)',
    description:
      'The server keeps serving reads and writes meanwhile. The backup directory gets the layout of a STORAGE_DIR (ragd.sqlite, indexes/) and, written last, manifest.json with the files, their sizes and sha256, and per-collection counts; a directory without manifest.json is not a complete backup. It holds every write acknowledged before the request. Restore: start the server with STORAGE_DIR set to the backup directory (or a copy of it). Poll GET /v1/backups/{id} for progress.',
  })
  @ApiBody({
    type: StartBackupDto,
    required: false,
    description: 'Optional: without a body (or with {}) the backup goes to BACKUP_DIR/<start time>',
  })
  @ApiAcceptedResponse({
    type: BackupDto,
    description: 'Started; the Location header names the backup',
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Invalid body; backup_target_outside_backup_dir; backup_target_in_storage',
  })
  @ApiConflictResponse({
    type: ErrorDto,
    description:
      'backup_in_progress (one at a time); backup_target_not_empty; backup_target_not_a_directory',
  })
  async start(
    @Body() body: StartBackupDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BackupDto> {
    const backup = await this.backups.start(body.directory);
    res.location(`/v1/backups/${backup.id}`);
    return backup;
  }

  @Get()
  @ApiOperation({
    summary: 'Backups of this server process, and complete backups found in BACKUP_DIR',
  })
  @ApiOkResponse({ type: BackupListDto })
  async list(): Promise<BackupListDto> {
    return { backups: await this.backups.list() };
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'A backup: state (running, done, failed and why), progress, timings and, when done, its manifest',
  })
  @ApiOkResponse({ type: BackupDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id') id: string): Promise<BackupDto> {
    return this.backups.get(id);
  }
}
