/**
 * Runs bench/lib/raw-online.child.ts as a plain `node` process: transpiled once to JavaScript in
 * the work folder (inside the repository, so its packages resolve from node_modules), so the
 * measured process holds the libraries and the model, not a TypeScript compiler.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { RawReport, RawTask } from './raw-online.child';

export function transpileRawChild(workDir: string): string {
  const source = fs.readFileSync(path.join(__dirname, 'raw-online.child.ts'), 'utf8');
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const file = path.join(workDir, 'raw-online.child.js');
  fs.writeFileSync(file, out.outputText);
  return file;
}

export function runRawChild(
  script: string,
  task: RawTask,
  workDir: string,
  round: number,
): Promise<RawReport> {
  const taskFile = path.join(workDir, `raw-task-${round}.json`);
  const outFile = path.join(workDir, `raw-report-${round}.json`);
  fs.writeFileSync(taskFile, JSON.stringify(task));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, taskFile, outFile], {
      cwd: path.dirname(script),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`raw pipeline exited with ${code}:\n${stderr}`));
      resolve(JSON.parse(fs.readFileSync(outFile, 'utf8')) as RawReport);
    });
  });
}
