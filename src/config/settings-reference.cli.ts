// `npm run docs:settings`: writes docs/configuration.md from the settings schema.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTINGS_REFERENCE_FILE, settingsReference } from './settings-reference';
import { SETTINGS_SCHEMA } from './settings.schema';

fs.mkdirSync(path.dirname(SETTINGS_REFERENCE_FILE), { recursive: true });
fs.writeFileSync(SETTINGS_REFERENCE_FILE, settingsReference(SETTINGS_SCHEMA));
console.log(`Wrote ${path.relative(process.cwd(), SETTINGS_REFERENCE_FILE)}`);
