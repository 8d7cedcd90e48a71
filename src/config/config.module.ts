import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Settings } from './settings';
import { SETTINGS } from './settings.provider';

/**
 * Provides the typed settings to every module. They are parsed once, before the app is built
 * (main.ts: `loadSettings(process.env)`), and handed in here, so the app and main.ts use one value.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: Settings): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: SETTINGS, useValue: settings }],
      exports: [SETTINGS],
    };
  }
}
