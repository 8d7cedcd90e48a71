import { Global, Module } from '@nestjs/common';
import { SETTINGS, loadSettings } from './settings.provider';

@Global()
@Module({
  providers: [{ provide: SETTINGS, useFactory: () => loadSettings(process.env) }],
  exports: [SETTINGS],
})
export class ConfigModule {}
