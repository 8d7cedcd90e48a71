import * as path from 'node:path';
import { z } from 'zod';
import { envSettingsOf, type EnvSetting, type SettingsTree } from './env-setting';

/** Where `npm run docs:settings` writes the reference (the repository's docs/). */
export const SETTINGS_REFERENCE_FILE = path.resolve(
  __dirname,
  '..',
  '..',
  'docs',
  'configuration.md',
);

/** What zod's JSON Schema (input side) says about a variable, as far as the reference uses it. */
interface InputSchema {
  type?: string;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  /** Environment variables are text, so their defaults are scalars. */
  default?: string | number | boolean;
  docAllowed?: string;
  docDefault?: string;
}

export function inputSchemaOf(setting: EnvSetting): InputSchema {
  return z.toJSONSchema(setting.schema, { io: 'input', unrepresentable: 'any' }) as InputSchema;
}

/** docs/configuration.md: every variable of `tree`, one table per area, in declaration order. */
export function settingsReference(tree: SettingsTree): string {
  const areas = new Map<string, EnvSetting[]>();
  for (const { setting } of envSettingsOf(tree)) {
    areas.set(setting.area, [...(areas.get(setting.area) ?? []), setting]);
  }
  const out = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/settings.schema.ts by `npm run docs:settings`. Do not edit. -->',
    '',
    'ragd reads its settings from environment variables, once, at start-up. A bad value stops the',
    'server (exit code 2) with a message naming each variable at fault. A variable set to the empty',
    'string counts as unset.',
    '',
    ...[...areas.keys()].map((title) => `- [${title}](#${anchorOf(title)})`),
  ];
  for (const [title, settings] of areas) {
    out.push('', `## ${title}`, '');
    out.push('| Variable | Default | Allowed values | Description |');
    out.push('| -------- | ------- | -------------- | ----------- |');
    for (const s of settings) {
      const schema = inputSchemaOf(s);
      const cells = [`\`${s.variable}\``, defaultOf(schema), allowedOf(schema), s.description];
      out.push(`| ${cells.map(cell).join(' | ')} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

function defaultOf(s: InputSchema): string {
  if (s.docDefault !== undefined) return s.docDefault;
  if (s.default === undefined) return '(unset)';
  if (s.default === '') return '(empty)';
  return `\`${String(s.default)}\``;
}

function allowedOf(s: InputSchema): string {
  if (s.docAllowed !== undefined) return s.docAllowed;
  if (s.enum !== undefined) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (s.type === 'integer' || s.type === 'number') {
    const kind = s.type === 'integer' ? 'integer' : 'number';
    if (s.minimum !== undefined && s.maximum !== undefined) {
      return `${kind}, ${s.minimum} to ${s.maximum}`;
    }
    if (s.minimum !== undefined) return `${kind}, at least ${s.minimum}`;
    if (s.maximum !== undefined) return `${kind}, at most ${s.maximum}`;
    return kind;
  }
  return (s.minLength ?? 0) > 0 ? 'text, not empty' : 'text';
}

/** A table cell: one line, with `|` escaped so it cannot end the cell. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/** The anchor GitHub gives a heading: lower case, spaces to hyphens, punctuation dropped. */
function anchorOf(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}
