import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Dtype } from '../../../../config/settings';
import { dtypeOfWeights } from '../onnx-weights';
import { DownloadError, diskFull } from './download-error';
import type { DownloadTracker } from './download-tracker';
import { fetchFile } from './file-fetch';
import type { HubClient, HubRepo } from './hub-client';
import { modelFolder, neededFiles, type NeededFile } from './model-files';

/** The revision models are fetched at. */
export const DEFAULT_REVISION = 'main';

/**
 * One try at putting a model's files for one precision into MODELS_DIR: asks the hub for the
 * model's files (sizes, hashes, the commit), fetches config.json first (it says which other files
 * transformers.js reads), checks the disk has room, then fetches every file that is not there yet,
 * small ones first and weights last, each resumed, verified and renamed into place (file-fetch.ts).
 * Files already under their final name are kept: a download never writes there unverified.
 */
export class ModelDownloader {
  constructor(
    private readonly hub: HubClient,
    private readonly modelsDir: string,
  ) {}

  async download(
    id: string,
    dtype: Dtype,
    tracker: DownloadTracker,
    signal?: AbortSignal,
    revision = DEFAULT_REVISION,
  ): Promise<void> {
    tracker.begin();
    const { repo, config, fetched: fetchedConfig } = await this.config(id, signal, revision);
    const dir = modelFolder(this.modelsDir, id);
    const hadConfig = !fetchedConfig;
    const configFile = repo.files.get('config.json')!;

    const needed = neededFiles(config, dtype);
    this.refuseAbsent(id, dtype, needed, repo);
    const files = order(
      needed.filter((f) => repo.files.has(f.path)),
      repo,
    );
    const present = new Set<string>();
    for (const f of files)
      if (f.path === 'config.json' ? hadConfig : await isFile(local(dir, f.path)))
        present.add(f.path);
    tracker.plan(
      repo.commit,
      files.map((f) => ({
        path: f.path,
        size: repo.files.get(f.path)?.size,
        present: present.has(f.path),
      })),
    );
    if (!hadConfig) {
      tracker.fileStart('config.json', configFile.size ?? 0, configFile.size);
      tracker.fileDone('config.json');
    }
    const todo = files.filter((f) => !present.has(f.path) && f.path !== 'config.json');
    await this.ensureRoom(dir, todo, repo);
    for (const f of todo) {
      await fetchFile(
        this.hub,
        id,
        repo.commit,
        repo.files.get(f.path)!,
        local(dir, f.path),
        {
          start: (have, size) => tracker.fileStart(f.path, have, size),
          bytes: (n) => tracker.fileBytes(f.path, n),
        },
        signal,
      );
      tracker.fileDone(f.path);
    }
    tracker.finish();
  }

  /**
   * The model's listing and its config.json (fetched into MODELS_DIR and verified if not there
   * yet): what tells its task and which other files it needs.
   */
  async config(
    id: string,
    signal?: AbortSignal,
    revision = DEFAULT_REVISION,
  ): Promise<{ repo: HubRepo; config: Record<string, unknown>; fetched: boolean }> {
    const repo = await this.hub.repo(id, revision, signal);
    const configFile = repo.files.get('config.json');
    if (!configFile)
      throw new DownloadError(
        'not_found',
        `'${id}' on ${this.hub.endpoint} has no config.json: not a model transformers.js can load`,
      );
    const configPath = path.join(modelFolder(this.modelsDir, id), 'config.json');
    const fetched = !(await isFile(configPath));
    if (fetched) await fetchFile(this.hub, id, repo.commit, configFile, configPath, quiet, signal);
    const config = JSON.parse(await fs.readFile(configPath, 'utf8')) as Record<string, unknown>;
    return { repo, config, fetched };
  }

  /** A required file the hub does not have: the wrong precision, most often; say which it has. */
  private refuseAbsent(id: string, dtype: Dtype, needed: NeededFile[], repo: HubRepo): void {
    const absent = needed.filter((f) => f.required && !repo.files.has(f.path));
    if (absent.length === 0) return;
    const names = absent.map((f) => f.path).join(', ');
    if (absent.some((f) => f.weights)) {
      const have = [
        ...new Set(
          [...repo.files.keys()]
            .filter((p) => p.startsWith('onnx/'))
            .map((p) => dtypeOfWeights(p.slice('onnx/'.length)))
            .filter((d) => d !== undefined),
        ),
      ];
      throw new DownloadError(
        'not_found',
        `'${id}' has no ${dtype} weights on ${this.hub.endpoint} (no ${names}); it has: ${have.join(', ') || 'no ONNX weights'}`,
      );
    }
    throw new DownloadError(
      'not_found',
      `'${id}' on ${this.hub.endpoint} lacks ${names}, which transformers.js needs to load it`,
    );
  }

  /** Refuses to start when the disk cannot hold what is left to fetch (partial files count). */
  private async ensureRoom(dir: string, todo: NeededFile[], repo: HubRepo): Promise<void> {
    let need = 0;
    for (const f of todo) {
      const size = repo.files.get(f.path)?.size ?? 0;
      const part = await fs.stat(`${local(dir, f.path)}.part`).then(
        (s) => s.size,
        () => 0,
      );
      need += Math.max(0, size - part);
    }
    const free = await freeBytes(dir);
    if (free !== undefined && free < need)
      throw diskFull(`${need} bytes still to fetch, ${free} free`);
  }
}

const quiet = { start: () => undefined, bytes: () => undefined };

/** Small files first, weights last; a weights graph after its external data (its name marks the precision as complete). */
function order(files: NeededFile[], repo: HubRepo): NeededFile[] {
  const rank = (f: NeededFile) => (!f.weights ? 0 : f.path.endsWith('.onnx') ? 2 : 1);
  const size = (f: NeededFile) => repo.files.get(f.path)?.size ?? 0;
  return [...files].sort((a, b) => rank(a) - rank(b) || size(a) - size(b));
}

function local(dir: string, file: string): string {
  return path.join(dir, ...file.split('/'));
}

async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Free bytes on the file system that holds `dir` (or its nearest existing parent). */
async function freeBytes(dir: string): Promise<number | undefined> {
  let at = dir;
  for (;;) {
    try {
      const s = await fs.statfs(at);
      return s.bavail * s.bsize;
    } catch {
      const up = path.dirname(at);
      if (up === at) return undefined;
      at = up;
    }
  }
}
