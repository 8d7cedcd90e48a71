import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';
import { ServerProcess, killAllServers } from '../support/server-process';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built `ragd` CLI as a process, as a user runs it. */
function ragd(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return finished(start(args, env));
}

function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the ragd CLI and the MCP server against the built server (e2e, process)', () => {
  let server: ServerProcess;
  let env: Record<string, string>;
  let folder: string;

  beforeAll(async () => {
    tinyModelsPresent();
    if (!fs.existsSync(CLI))
      throw new Error('dist/cli/main.js is missing: run `npm run build` first');
    const work = tempDir('ragd-cli-');
    server = await ServerProcess.start(
      ROOT,
      { ...TINY_ENV, STORAGE_DIR: path.join(work, 'storage') },
      path.join(work, 'server.log'),
    );
    await server.waitForModelReady('embedding', 60_000);
    await server.waitForModelReady('generation', 60_000);
    env = { RAGD_URL: server.baseUrl };
    folder = path.join(work, 'notes');
    fs.mkdirSync(path.join(folder, 'space'), { recursive: true });
    fs.writeFileSync(
      path.join(folder, 'moon.md'),
      '# Moon\n\nThe moon goes around the earth once a month.\n',
    );
    fs.writeFileSync(
      path.join(folder, 'space', 'sun.txt'),
      'The sun is a star at the centre of the solar system.\n',
    );
    fs.writeFileSync(path.join(folder, 'ignored.bin'), 'not a supported format');
  });

  afterAll(async () => {
    await server?.stop();
    killAllServers();
  });

  const documents = async (collection: string) => {
    const res = await server.get<{
      items: { id: string; metadata: { path?: string; sha256?: string } }[];
    }>(`/v1/collections/${collection}/documents?limit=1000`);
    return new Map(res.body.items.map((d) => [d.id, d.metadata]));
  };

  describe('ragd index keeps a collection in sync with a folder', () => {
    it('adds the files of the folder as one job, creating the collection', async () => {
      const run = await ragd(['--json', 'index', folder, '--collection', 'notes'], env);
      expect(run.stderr).toContain("Created collection 'notes'");
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout) as {
        added: string[];
        jobs: string[];
        failed: unknown[];
      };
      expect(result.added).toEqual(['moon.md', 'space/sun.txt']);
      expect(result.jobs).toHaveLength(1);
      expect(result.failed).toEqual([]);
      const docs = await documents('notes');
      expect([...docs.keys()].sort()).toEqual(['moon.md', 'space%2Fsun.txt']);
      expect(docs.get('space%2Fsun.txt')).toMatchObject({
        path: 'space/sun.txt',
        syncedBy: 'ragd index',
      });
      expect(docs.get('moon.md')!.sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('does nothing on a second run with nothing changed, and says so', async () => {
      const jobsBefore = (await server.get<{ items: unknown[] }>('/v1/jobs?collection=notes')).body
        .items.length;
      const run = await ragd(['index', folder, '-c', 'notes'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Nothing to do: 'notes' matches .* \(2 files unchanged\)/);
      const jobsAfter = (await server.get<{ items: unknown[] }>('/v1/jobs?collection=notes')).body
        .items.length;
      expect(jobsAfter).toBe(jobsBefore);
    });

    it('sends a changed and a new file, and removes a deleted one', async () => {
      const before = await documents('notes');
      fs.appendFileSync(path.join(folder, 'moon.md'), 'The moon is made of rock.\n');
      fs.rmSync(path.join(folder, 'space', 'sun.txt'));
      fs.writeFileSync(path.join(folder, 'stars.txt'), 'Stars are suns far away.\n');
      const run = await ragd(['--json', 'index', folder, '-c', 'notes'], env);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        added: ['stars.txt'],
        changed: ['moon.md'],
        removed: ['space/sun.txt'],
        unchanged: 0,
      });
      const after = await documents('notes');
      expect([...after.keys()].sort()).toEqual(['moon.md', 'stars.txt']);
      expect(after.get('moon.md')!.sha256).not.toBe(before.get('moon.md')!.sha256);
      const doc = await server.get<{ text: string }>('/v1/collections/notes/documents/moon.md');
      expect(doc.body.text).toContain('made of rock');
    });

    it('is safe to run again after being killed in the middle of a job', async () => {
      const many = path.join(path.dirname(folder), 'many');
      fs.mkdirSync(many);
      for (let i = 0; i < 40; i++)
        fs.writeFileSync(
          path.join(many, `doc-${String(i).padStart(2, '0')}.md`),
          `# Note ${i}\n\n${'Words about planets and orbits and moons. '.repeat(40)}\n`,
        );
      const child = start(['index', many, '-c', 'many'], env);
      const output = finished(child);
      await new Promise<void>((resolve) => {
        child.stderr?.on('data', (d: Buffer) => {
          if (d.toString().includes('Job ')) resolve();
        });
      });
      child.kill('SIGKILL'); // the job was accepted and goes on in the server
      expect((await output).code).toBeNull();
      const again = await ragd(['--json', 'index', many, '-c', 'many'], env);
      expect(again.code).toBe(0);
      const result = JSON.parse(again.stdout) as {
        added: string[];
        unchanged: number;
        failed: unknown[];
      };
      expect(result.failed).toEqual([]);
      expect(result.added.length + result.unchanged).toBe(40);
      const docs = await documents('many');
      expect(docs.size).toBe(40);
      const third = await ragd(['index', many, '-c', 'many'], env);
      expect(third.stdout).toMatch(/^Nothing to do: .*\(40 files unchanged\)/);
    });
  });

  describe('search, ask, collections, keys and exit codes', () => {
    it('searches and lists results with their file', async () => {
      const run = await ragd(['search', 'notes', 'moon', 'rock'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^\d+ results \(hybrid\)/);
      expect(run.stdout).toContain('1. moon.md');
      const json = await ragd(['--json', 'search', 'notes', 'moon', '-k', '1'], env);
      expect((JSON.parse(json.stdout) as { results: unknown[] }).results).toHaveLength(1);
    });

    it('streams an answer and lists its citations', async () => {
      const run = await ragd(['ask', 'notes', 'What', 'goes', 'around', 'the', 'earth?'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/\[1\] (moon\.md|stars\.txt)/);
      const json = await ragd(['--json', 'ask', 'notes', 'What is the moon made of?'], env);
      const answer = JSON.parse(json.stdout) as {
        mode: string;
        citations: { documentId: string }[];
      };
      expect(answer.mode).toBe('generative');
      expect(answer.citations.length).toBeGreaterThan(0);
    });

    it('creates, lists and deletes collections', async () => {
      expect((await ragd(['collections', 'create', 'scratch'], env)).stdout).toMatch(
        /^Created 'scratch'/,
      );
      const list = await ragd(['--json', 'collections'], env);
      const names = (
        JSON.parse(list.stdout) as { collections: { name: string }[] }
      ).collections.map((c) => c.name);
      expect(names.sort()).toEqual(['many', 'notes', 'scratch']);
      expect((await ragd(['collections', 'delete', 'scratch'], env)).code).toBe(0);
      expect((await ragd(['collections', 'delete', 'scratch'], env)).code).toBe(3);
    });

    it('creates, lists and revokes API keys (the last one revoked: open again)', async () => {
      const made = await ragd(['--json', 'keys', 'create', 'cli', '--scope', 'admin'], env);
      expect(made.code).toBe(0);
      const key = JSON.parse(made.stdout) as { id: string; key: string };
      expect(key.key).toMatch(/^ragd_/);
      // Auth is on now: without the key the CLI is refused (exit 2), with it the key is listed.
      expect((await ragd(['keys', 'list'], env)).code).toBe(2);
      const withKey = { ...env, RAGD_API_KEY: key.key };
      const list = await ragd(['--json', 'keys', 'list'], withKey);
      expect(list.code).toBe(0);
      const ids = (JSON.parse(list.stdout) as { keys: { id: string }[] }).keys.map((k) => k.id);
      expect(ids).toEqual([key.id]);
      expect(list.stdout).not.toContain(key.key);
      expect((await ragd(['keys', 'revoke', key.id], withKey)).code).toBe(0);
      expect((await ragd(['keys', 'revoke', key.id], env)).code).toBe(3);
    });

    it('backs up and waits for the backup to be done', async () => {
      const run = await ragd(['--json', 'backup'], env);
      expect(run.code).toBe(0);
      const backup = JSON.parse(run.stdout) as { state: string; directory: string };
      expect(backup.state).toBe('done');
      expect(fs.existsSync(path.join(backup.directory, 'manifest.json'))).toBe(true);
    });

    it('exits 1 on usage errors, 3 when not found, 4 when the server is unreachable', async () => {
      expect((await ragd(['index', folder], env)).code).toBe(1); // no --collection
      expect((await ragd(['search', 'nope', 'x'], env)).code).toBe(3);
      const down = await ragd(['collections'], { RAGD_URL: 'http://127.0.0.1:1' });
      expect(down.code).toBe(4);
      expect(down.stderr).toContain('Cannot reach ragd at http://127.0.0.1:1');
      const help = await ragd(['index', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--collection <name>');
    });
  });

  describe('MCP: every tool with the SDK client, over Streamable HTTP (/mcp) and stdio (ragd mcp)', () => {
    const transports = {
      http: () => new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/mcp`)),
      stdio: () =>
        new StdioClientTransport({
          command: process.execPath,
          args: [CLI, 'mcp'],
          env: { PATH: process.env.PATH ?? '', RAGD_URL: server.baseUrl },
          stderr: 'ignore',
        }),
    };

    for (const [kind, transport] of Object.entries(transports)) {
      it(`calls list_collections, search, ask, get_document and add_document (${kind})`, async () => {
        const sut = new Client({ name: 'ragd-e2e', version: '1.0.0' });
        await sut.connect(transport());
        try {
          const tools = await sut.listTools();
          expect(tools.tools.map((t) => t.name).sort()).toEqual([
            'add_document',
            'ask',
            'get_document',
            'list_collections',
            'search',
          ]);
          const text = (r: unknown) => (r as { content: { text: string }[] }).content[0]!.text;

          const added = await sut.callTool({
            name: 'add_document',
            arguments: {
              collection: 'notes',
              id: `mcp-${kind}`,
              text: `Comets have tails of ice and dust (${kind}).`,
            },
          });
          expect(added.isError).toBeFalsy();
          expect(JSON.parse(text(added))).toMatchObject({ id: `mcp-${kind}`, status: 'created' });

          const list = JSON.parse(
            text(await sut.callTool({ name: 'list_collections', arguments: {} })),
          ) as {
            name: string;
          }[];
          expect(list.map((c) => c.name)).toContain('notes');

          const found = JSON.parse(
            text(
              await sut.callTool({
                name: 'search',
                arguments: { collection: 'notes', query: 'comets tails', topK: 3 },
              }),
            ),
          ) as { results: { documentId: string }[] };
          expect(found.results.map((r) => r.documentId)).toContain(`mcp-${kind}`);

          const answer = await sut.callTool({
            name: 'ask',
            arguments: { collection: 'notes', question: 'What are the tails of comets made of?' },
          });
          expect(answer.isError).toBeFalsy();
          expect(text(answer)).toMatch(/Sources:\n\[1\] /);

          const doc = JSON.parse(
            text(
              await sut.callTool({
                name: 'get_document',
                arguments: { collection: 'notes', id: `mcp-${kind}` },
              }),
            ),
          ) as { text: string; truncated: boolean };
          expect(doc.text).toContain('Comets have tails');
          expect(doc.truncated).toBe(false);

          const missing = await sut.callTool({
            name: 'search',
            arguments: { collection: 'nope', query: 'x' },
          });
          expect(missing.isError).toBe(true);
          expect(text(missing)).toContain("Collection 'nope' does not exist");
        } finally {
          await sut.close();
        }
      });
    }

    it('refuses GET /mcp (stateless: POST only)', async () => {
      const res = await fetch(`${server.baseUrl}/mcp`);
      expect(res.status).toBe(405);
    });
  });
});
