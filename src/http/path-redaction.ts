import type { Settings } from '../config/settings';

/**
 * Absolute paths of the machine stay out of what the API answers to clients (issue #13): a path
 * under one of the configured folders is written as the setting's name (`STORAGE_DIR/ragd.sqlite`).
 * Logs keep the real paths; the admin view of /health shows the folders themselves.
 */
export class PathRedaction {
  /** Longest first, so a folder inside another is named by the inner setting. */
  private readonly roots: [string, string][];

  constructor(settings: Pick<Settings, 'storageDir' | 'modelsDir'> & { backupDir?: string }) {
    const roots: [string, string][] = [
      [settings.storageDir, 'STORAGE_DIR'],
      [settings.modelsDir, 'MODELS_DIR'],
    ];
    if (settings.backupDir) roots.push([settings.backupDir, 'BACKUP_DIR']);
    this.roots = roots
      .filter(([dir]) => dir.startsWith('/') && dir.length > 1)
      .map(([dir, name]): [string, string] => [dir.replace(/\/+$/, ''), name])
      .sort((a, b) => b[0].length - a[0].length);
  }

  /** The text with each configured folder (and what is under it) named by its setting. */
  text(text: string): string {
    let out = text;
    for (const [dir, name] of this.roots) if (out.includes(dir)) out = out.split(dir).join(name);
    return out;
  }

  /** A JSON-shaped value with every string redacted (error details). */
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)]));
    return value;
  }
}
