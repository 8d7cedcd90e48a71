import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { logParams } from './log-options';

/**
 * Structured logs (pino through nestjs-pino): main.ts hands Nest's Logger to it, so every
 * `new Logger(...)` in the code writes pino lines, with the request id of the request in flight.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [SETTINGS],
      useFactory: (settings: Settings) => logParams(settings),
    }),
  ],
})
export class LoggingModule {}
