import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Starts the worker script `<name>.js` next to the compiled caller, or its TypeScript source
 * through ts-node when running from src (tests).
 */
export function startWorker(dir: string, name: string, resourceLimits?: ResourceLimits): Worker {
  const js = path.join(dir, `${name}.js`);
  if (fs.existsSync(js)) return new Worker(js, { resourceLimits });
  const ts = path.join(dir, `${name}.ts`);
  return new Worker(
    `require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } }); require(${JSON.stringify(ts)});`,
    { eval: true, resourceLimits },
  );
}
