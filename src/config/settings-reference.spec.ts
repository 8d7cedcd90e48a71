import * as fs from 'node:fs';
import { z } from 'zod';
import { area, env, envSettingsOf } from './env-setting';
import { boolean, bytes, commaList, integer, oneOf, optionalDirectory } from './env-values';
import { SETTINGS_REFERENCE_FILE, inputSchemaOf, settingsReference } from './settings-reference';
import { SETTINGS_SCHEMA } from './settings.schema';

describe('settingsReference', () => {
  it('matches docs/configuration.md (else: run npm run docs:settings)', () => {
    const written = fs.existsSync(SETTINGS_REFERENCE_FILE)
      ? fs.readFileSync(SETTINGS_REFERENCE_FILE, 'utf8')
      : '(missing)';
    const sut = settingsReference(SETTINGS_SCHEMA);
    const state = sut === written ? 'up to date' : 'out of date: run npm run docs:settings';
    expect(`docs/configuration.md is ${state}`).toBe('docs/configuration.md is up to date');
  });

  it('lists every declared variable in exactly one row', () => {
    const sut = settingsReference(SETTINGS_SCHEMA);
    for (const { setting } of envSettingsOf(SETTINGS_SCHEMA)) {
      const rows = sut.split('\n').filter((line) => line.startsWith(`| \`${setting.variable}\` |`));
      expect([setting.variable, rows.length]).toEqual([setting.variable, 1]);
    }
  });

  it('gives each variable an area and a description', () => {
    for (const { setting } of envSettingsOf(SETTINGS_SCHEMA)) {
      expect([setting.variable, setting.area.length > 0]).toEqual([setting.variable, true]);
      expect([setting.variable, setting.description.length >= 10]).toEqual([
        setting.variable,
        true,
      ]);
    }
  });

  it('documents each default as the text that, once set, gives the value of leaving it unset', () => {
    for (const { setting } of envSettingsOf(SETTINGS_SCHEMA)) {
      const shown = inputSchemaOf(setting).default;
      if (shown === undefined || shown === '') continue;
      const unset: unknown = setting.schema.parse(undefined);
      const written: unknown = setting.schema.parse(String(shown));
      expect([setting.variable, written]).toEqual([setting.variable, unset]);
    }
  });

  it('writes a table per area with the default, the allowed values and the description', () => {
    const tree = {
      ...area('Server', {
        port: env('PORT', integer(0, 65535, 3000), 'HTTP port.'),
        level: env('LEVEL', oneOf(['a', 'b'], 'b'), 'A | B.'),
      }),
      ...area('Other things', {
        on: env('ON', boolean(true), 'Turned on.'),
        dir: env('DIR', optionalDirectory(), 'Where.'),
        list: env('LIST', commaList(), 'Items.'),
        size: env('SIZE', bytes(1024, 1024 ** 3, 25 * 1024 ** 2), 'Largest.'),
        ratio: env('RATIO', z.coerce.number().min(0).default(0.5), 'Share.'),
      }),
    };
    const sut = settingsReference(tree);
    expect(sut).toContain(
      [
        '- [Server](#server)',
        '- [Other things](#other-things)',
        '',
        '## Server',
        '',
        '| Variable | Default | Allowed values | Description |',
        '| -------- | ------- | -------------- | ----------- |',
        '| `PORT` | `3000` | integer, 0 to 65535 | HTTP port. |',
        '| `LEVEL` | `b` | `a`, `b` | A \\| B. |',
        '',
        '## Other things',
        '',
        '| Variable | Default | Allowed values | Description |',
        '| -------- | ------- | -------------- | ----------- |',
        '| `ON` | `true` | `true`, `false` (also `1`, `0`, `yes`, `no`) | Turned on. |',
        '| `DIR` | (unset) | a path (relative to the working directory) | Where. |',
        '| `LIST` | (empty) | comma-separated list | Items. |',
        '| `SIZE` | `26214400` (25 MiB) | bytes, 1 KiB to 1 GiB | Largest. |',
        '| `RATIO` | `0.5` | number, at least 0 | Share. |',
        '',
      ].join('\n'),
    );
  });
});
