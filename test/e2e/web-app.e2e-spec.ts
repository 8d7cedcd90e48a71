/**
 * The web app as a person uses it: Debian's Chromium (playwright-core) against the built server
 * started as a process with the tiny generated models. Creates a collection, uploads a PDF, a
 * Markdown file, a damaged PDF and a slow URL as one job, reloads while the job runs, asks, opens
 * the citation and checks the passage is marked on the right PDF page; then the search playground,
 * the models page (a model downloaded from a hub on loopback, its progress shown), and API keys:
 * the first key made on the keys page, then another session asked for a key (keys on: login).
 * Screenshots of every page go to test/artifacts/web/ (gitignored). jest.config.js leaves this
 * suite out when no browser exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { ServerProcess, killAllServers } from '../support/server-process';
import { launchChromium } from '../support/chromium';
import { makePdf } from '../support/document-files';
import { FakeHub } from '../support/fake-hub';
import { startLocalSite, type LocalSite } from '../support/local-site';
import { TINY_ENV, TINY_MODELS_DIR, tempDir, tinyModelsPresent } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test/artifacts/web');
/** How long the slow URL of the job takes to answer: the page is reloaded meanwhile. */
const SLOW_URL_MS = 5000;
/** The model downloaded on the models page (2.6 MB), and the hub's pace: a few seconds to watch. */
const PULLED = 'tiny/embed-wide';
const HUB_BYTES_PER_SECOND = 600_000;
const KEY_FORMAT = /^ragd_[0-9a-f]{16}_[0-9a-f]{64}$/;

/**
 * Page 2 of the PDF (y in points from the bottom): its heading opens the section the question
 * finds; at the tiny models' chunk size (48) the heading and the first line are one chunk, the
 * second line the next one. The first chunk is cited, so its lines are marked and the other not.
 */
const CITED_LINES = [
  { y: 720, text: '2 Night trains', size: 14, bold: true },
  { y: 690, text: 'The night train to Vienna leaves the central station at ten in the evening.' },
];
const NEXT_LINE = {
  y: 672,
  text: 'Sleeping cars on the night train must be booked three days ahead.',
};
const PDF = makePdf([
  {
    texts: [
      { x: 72, y: 740, text: 'Travel handbook', size: 20, bold: true },
      { x: 72, y: 700, text: '1 Flights', size: 14, bold: true },
      { x: 72, y: 680, text: 'Economy class is booked for flights under six hours.' },
      { x: 72, y: 664, text: 'Premium economy is allowed for longer flights.' },
    ],
  },
  { texts: [...CITED_LINES, NEXT_LINE].map((l) => ({ x: 72, ...l })) },
]);
const MARKDOWN = `# Expense policy

Meals are refunded up to forty euros a day. Taxis need a receipt.

## Hotels

Hotels are booked through the travel desk, at most three nights per trip.
`;

/**
 * Polls an expression in the page until it is true (page.waitForFunction would evaluate it with
 * eval, which the app's Content-Security-Policy rightly refuses).
 */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`Still false after ${timeoutMs} ms: ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the web app in Chromium against the built server (e2e, browser)', () => {
  let server: ServerProcess;
  let site: LocalSite;
  let hub: FakeHub;
  let modelsDir: string;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  /** Console errors and page errors, with the URL they came from. */
  const problems: string[] = [];
  /** The keys made on the keys page. */
  let adminKey = '';
  let readerKey = '';

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const watch = (p: Page) => {
    p.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') problems.push(`${m.text()} (${m.location().url})`);
    });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  };

  /** Another browser session (its own storage), its console watched. */
  const newSession = async () => {
    const context: BrowserContext = await browser.newContext({
      viewport: { width: 1280, height: 800 },
    });
    const seen: string[] = [];
    const p = await context.newPage();
    p.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') seen.push(`${m.text()} (${m.location().url})`);
    });
    p.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
    return { context, page: p, problems: seen };
  };

  beforeAll(async () => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(ROOT, 'dist/web/index.html')))
      throw new Error('dist/web is missing: run `npm run build` first');
    fs.mkdirSync(SHOTS, { recursive: true });
    site = await startLocalSite((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('Ferries to the islands leave the harbour at noon every day.');
      }, SLOW_URL_MS);
    });
    hub = await FakeHub.start({ [PULLED]: { dir: path.join(TINY_MODELS_DIR, PULLED) } });
    hub.throttle(HUB_BYTES_PER_SECOND);
    // A copy of the tiny models without the one the models page downloads (into this copy).
    modelsDir = tempDir('ragd-web-models-');
    fs.cpSync(TINY_MODELS_DIR, modelsDir, {
      recursive: true,
      filter: (f) => !f.startsWith(path.join(TINY_MODELS_DIR, PULLED)),
    });
    server = await ServerProcess.start(
      ROOT,
      {
        ...TINY_ENV,
        STORAGE_DIR: tempDir(),
        MODELS_DIR: modelsDir,
        URL_FETCH_ALLOW: '127.0.0.1',
        ALLOW_REMOTE_MODELS: 'true',
        HF_ENDPOINT: hub.url,
        MODEL_ALLOW: 'tiny/*',
      },
      path.join(SHOTS, 'server.log'),
    );
    await server.waitForHealth(30_000);
    await server.waitForModelReady('generation', 60_000);
    ({ browser, close: closeBrowser } = await launchChromium());
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watch(page);
  });

  afterAll(async () => {
    await closeBrowser?.();
    await server?.stop();
    await site?.close();
    await hub?.close();
    killAllServers();
  });

  it('paints the collections page within a second and creates a collection', async () => {
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/collections');
    const paint = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Infinity,
    );
    expect(paint).toBeLessThan(1000);
    await page.getByText('No collections yet').waitFor();
    await shot('01-collections-empty');

    // By keyboard: Enter on the button opens the form with the focus in its name field; Enter there
    // creates the collection.
    await page.getByRole('button', { name: 'New collection' }).focus();
    await page.keyboard.press('Enter');
    await until(page, "document.activeElement?.id === 'collection-name'", 5000); // focused after render
    await page.keyboard.type('handbook');
    await expect(page.getByLabel('Collection name').inputValue()).resolves.toBe('handbook');
    await shot('02-new-collection');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'handbook', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/collections/handbook');
  });

  it('uploads files and a URL as one job, and finds the job again after a reload while it runs', async () => {
    await page.getByLabel('Upload files').setInputFiles([
      { name: 'night-trains.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'policy.md', mimeType: 'text/markdown', buffer: Buffer.from(MARKDOWN) },
      {
        name: 'damaged.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage'),
      },
    ]);
    await page.getByLabel('URLs to fetch (one per line)').fill(`${site.base}/ferries.txt`);
    await expect(
      page.getByRole('list', { name: 'Files to upload' }).getByRole('listitem').count(),
    ).resolves.toBe(3);
    await page.getByRole('button', { name: 'Start upload' }).click();

    const items = page.getByRole('list', { name: 'Files of the job' });
    await items
      .getByRole('listitem')
      .filter({ hasText: 'policy.md' })
      .filter({ hasText: 'done' })
      .waitFor();
    const jobId = new URL(page.url()).searchParams.get('job');
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    // The URL is still being fetched: reload now and the same job is shown, still running.
    const fetching = items.getByRole('listitem').filter({ hasText: 'ferries.txt' });
    await expect(fetching.textContent()).resolves.toMatch(/queued|parsing/);
    await shot('03-upload-running');
    await page.reload();
    await page.getByRole('heading', { name: 'Upload job' }).waitFor();
    expect(new URL(page.url()).searchParams.get('job')).toBe(jobId);
    await expect(page.locator('.job-summary .state').first().textContent()).resolves.toMatch(
      /parsing|queued|embedding/,
    );
    await expect(
      items.getByRole('listitem').filter({ hasText: 'ferries.txt' }).textContent(),
    ).resolves.toMatch(/queued|parsing/);

    // Every file reaches its end: the two documents done, the damaged PDF failed with its reason.
    await page.locator('.job-summary .state-done').waitFor({ timeout: 30_000 });
    for (const name of ['night-trains.pdf', 'policy.md', 'ferries.txt'])
      await items
        .getByRole('listitem')
        .filter({ hasText: name })
        .filter({ hasText: 'done' })
        .waitFor();
    const damaged = items.getByRole('listitem').filter({ hasText: 'damaged.pdf' });
    await expect(damaged.textContent()).resolves.toMatch(/failed.*Failed while parsing: .+/s);
    await expect(
      page.getByRole('status').filter({ hasText: 'ended' }).textContent(),
    ).resolves.toMatch(/4 of 4 files ended, 1 failed/);
    const documents = page.getByRole('region', { name: 'Documents table' });
    await documents.getByRole('link', { name: 'Travel handbook' }).waitFor();
    await documents.getByRole('link', { name: 'Expense policy' }).waitFor();
    await shot('04-upload-done');
  });

  it('filters the documents and opens the Markdown one as text', async () => {
    await page.getByLabel('Filter documents').fill('expense');
    const rows = page.getByRole('region', { name: 'Documents table' }).getByRole('row');
    await expect(rows.count()).resolves.toBe(2); // the header and one document
    await rows.getByRole('link', { name: 'Expense policy' }).click();
    await page.getByRole('heading', { name: 'Expense policy', level: 1 }).waitFor();
    const text = page.getByRole('region', { name: 'Text of Expense policy' });
    await expect(text.textContent()).resolves.toContain('Meals are refunded up to forty euros');
    await expect(text.locator('mark').count()).resolves.toBe(0);
    await page
      .getByRole('navigation', { name: 'Chunks' })
      .getByRole('link', { name: /Hotels/ })
      .click();
    await expect(text.locator('mark.passage').textContent()).resolves.toContain(
      'Hotels are booked through the travel desk',
    );
    expect(new URL(page.url()).searchParams.get('chunk')).toMatch(/^\d+$/);
    await shot('05-document-markdown');
  });

  it('streams an answer, and its citation opens the PDF page with the passage highlighted', async () => {
    await page
      .getByRole('navigation', { name: 'Collection handbook' })
      .getByRole('link', { name: 'Ask' })
      .click();
    const field = page.getByLabel('Ask a question');
    await field.fill('When does the night train to Vienna leave?');
    // Record every text the answer shows while it is written.
    // (Scripts run in the page are strings: the server's compile has no DOM types.)
    await page.evaluate(`(() => {
      const seen = (window.answerTexts = []);
      new MutationObserver(() => {
        const t = document.querySelector('[aria-label="Answer"] .answer-text')?.textContent;
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    // On loopback the whole stream can land in one read; at 4 kB/s its events come apart, as
    // they do over a real network, and each one must show.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: 4000,
      uploadThroughput: -1,
    });
    await page.getByRole('button', { name: 'Ask' }).click();
    const answer = page.getByRole('region', { name: 'Answer' });
    await answer.getByText('generative').waitFor();
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.detach();
    await expect(answer.locator('.answer-text').textContent()).resolves.toBe('Cited [1].');
    const texts = await page.evaluate<string[]>('window.answerTexts');
    expect(texts[texts.length - 1]).toBe('Cited [1].');
    // Written piece by piece as the model's words come (the server's streamer sends whole words:
    // "Cited " then "[1]."), not at once.
    expect(texts).toEqual(['Cited ', 'Cited [1].']);
    await expect(answer.textContent()).resolves.toContain('tiny/chat');
    await expect(answer.getByRole('note').first().textContent()).resolves.toMatch(/Not grounded/);
    expect(new URL(page.url()).searchParams.get('session')).toMatch(/^[0-9a-f-]{36}$/);

    const cite = answer.getByRole('link', { name: /^\[1\] / }).first();
    await expect(cite.getAttribute('aria-label')).resolves.toBe('[1] Travel handbook, page 2');
    await cite.click();
    const panel = page.getByRole('complementary', { name: '[1] Travel handbook' });
    await panel
      .getByText('Page 2 of 2 of Travel handbook, the cited passage highlighted')
      .waitFor();
    await expect(panel.locator('.pdf-page').getAttribute('data-page')).resolves.toBe('2');
    // The marks cover the cited chunk's lines and nothing else of the page.
    const marks = await panel.locator('.pdf-mark').evaluateAll((els) =>
      els.map((e) => {
        const canvas = e.parentElement!.querySelector('canvas')!.getBoundingClientRect();
        const scale = canvas.width / 612;
        const box = e.getBoundingClientRect();
        return {
          top: 792 - (box.top - canvas.top) / scale,
          bottom: 792 - (box.bottom - canvas.top) / scale,
        };
      }),
    );
    const marked = (y: number) => marks.some((m) => m.bottom <= y && m.top >= y + 6);
    const lines = new Set(marks.map((m) => Math.round(m.bottom))); // a line may be several runs
    expect(lines.size).toBe(CITED_LINES.length);
    for (const line of CITED_LINES) expect(marked(line.y)).toBe(true);
    expect(marked(NEXT_LINE.y)).toBe(false);
    await expect(panel.textContent()).resolves.toContain('page 2 · 2 Night trains');
    await shot('06-ask-pdf-citation');

    // Phone width: the source follows the answer.
    await page.setViewportSize({ width: 375, height: 740 });
    await until(
      page,
      `(() => {
        const frame = document.querySelector('.pdf-frame');
        const canvas = frame?.querySelector('canvas');
        return !!canvas && canvas.getBoundingClientRect().width <= frame.clientWidth;
      })()`,
    ); // the page is drawn again to fit the narrower frame
    await panel.getByText('the cited passage highlighted').waitFor();
    await shot('07-ask-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('keeps the conversation: a reload brings its history back', async () => {
    await page.reload();
    const history = page.getByRole('list', { name: 'Conversation' });
    await history.getByText('When does the night train to Vienna leave?').waitFor();
    // A stored citation names its chunk only: the page and the passage are found from it.
    await history.getByRole('link', { name: '[1] Travel handbook' }).click();
    await page
      .getByRole('complementary', { name: '[1] Travel handbook' })
      .getByText('Page 2 of 2 of Travel handbook, the cited passage highlighted')
      .waitFor();
    await page.getByLabel('Ask a question').fill('And the sleeping cars?');
    await page.getByLabel('Ask a question').press('Enter');
    await page.getByRole('region', { name: 'Answer' }).getByText('generative').waitFor();
    await shot('08-conversation');
  });

  it('searches with explain scores in the playground', async () => {
    await page.goto(`${server.baseUrl}/search?collection=handbook`);
    await page.getByLabel('Query').fill('hotel travel desk');
    await page.getByLabel('Mode').selectOption('hybrid');
    await page.getByLabel('Top K').fill('3');
    await page.getByLabel('Filter (JSON)').fill('{"columns": {"$exists": true}');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not JSON/);
    await page.getByLabel('Filter (JSON)').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('region', { name: 'Search results' });
    await results.getByRole('row').nth(1).waitFor();
    await expect(results.getByRole('row').count()).resolves.toBe(4); // header + topK 3
    const first = await results.getByRole('row').nth(1).textContent();
    expect(first).toMatch(/Expense policy/);
    expect(first).toMatch(/1 \/ \d/); // ranked first in at least one list, with its score
    await shot('09-search');
  });

  it('shows every model with its state, and unloads and loads one', async () => {
    await page.goto(`${server.baseUrl}/models`);
    const table = page.getByRole('region', { name: 'Models table' });
    await table.getByRole('button', { name: 'Unload tiny/chat (generation, fp32)' }).click();
    await table.getByRole('button', { name: 'Load tiny/chat (generation, fp32)' }).waitFor();
    await table.getByRole('button', { name: 'Load tiny/chat (generation, fp32)' }).click();
    await table.getByRole('button', { name: 'Unload tiny/chat (generation, fp32)' }).waitFor();
    await expect(page.getByText('Answer mode').locator('..').textContent()).resolves.toMatch(
      /generative/,
    );
    await shot('10-models');
  });

  it('downloads a model from the hub, its progress shown as it comes', async () => {
    const form = page.getByRole('form', { name: 'Download a model' });
    await form.getByLabel('Model id').fill(PULLED);
    await form.getByLabel('Task').selectOption('embedding');
    await form.getByRole('button', { name: 'Download' }).click();
    const row = page
      .getByRole('region', { name: 'Models table' })
      .getByRole('row')
      .filter({ hasText: PULLED });
    const bar = row.getByRole('progressbar', { name: `Download of ${PULLED} (fp32)` });
    await bar.waitFor();
    await expect(row.locator('.state').textContent()).resolves.toBe('downloading');
    // Some bytes in, not all: the page follows the download by itself.
    await until(
      page,
      `(() => {
        const bar = document.querySelector('progress[aria-label="Download of ${PULLED} (fp32)"]');
        return !!bar && bar.value > 10 && bar.value < 90;
      })()`,
      15_000,
    );
    await expect(row.locator('.download').textContent()).resolves.toMatch(
      /[\d.]+ (kB|MB) of 2\.6 MB \(\d+%\) · [\d.]+ kB\/s · \d+ s left/,
    );
    await shot('11-model-downloading');
    await row.locator('.state-available').waitFor({ timeout: 20_000 });
    await expect(row.getByRole('progressbar').count()).resolves.toBe(0);
    await expect(row.textContent()).resolves.toContain('2.6 MB'); // its weights, in MODELS_DIR
    expect(fs.existsSync(path.join(modelsDir, PULLED, 'onnx/model.onnx'))).toBe(true);
  });

  it('deletes a collection after asking to confirm', async () => {
    await page.goto(`${server.baseUrl}/collections`);
    await page.getByRole('button', { name: 'Delete collection handbook' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).waitFor();
    await shot('12-delete-confirm');
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No collections yet').waitFor();
  });

  it('makes the first API key on the keys page: shown once, and this tab keeps working with it', async () => {
    await page.goto(`${server.baseUrl}/keys`);
    await page.getByText('API keys are off').waitFor();
    await page.getByLabel('Key name').fill('web admin');
    await expect(page.getByLabel('Scopes').inputValue()).resolves.toBe('admin');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('textbox', { name: 'New API key' });
    await shown.waitFor();
    adminKey = await shown.inputValue();
    expect(adminKey).toMatch(KEY_FORMAT);
    await page.getByText('This tab uses it from now on.').waitFor();
    await expect(
      page.evaluate<string | null>("sessionStorage.getItem('ragd.apiKey')"),
    ).resolves.toBe(adminKey);
    await expect(
      page.evaluate<boolean>(`Object.values(localStorage).some((v) => v.includes('${adminKey}'))`),
    ).resolves.toBe(false); // sessionStorage only
    const keys = page.getByRole('region', { name: 'Keys table' });
    await keys.getByRole('row', { name: /web admin/ }).waitFor();
    await page.getByRole('button', { name: 'Forget API key' }).waitFor();
    await shot('13-keys-first');

    // Keys are on now: a key that may read one collection, then the server refuses it for the rest.
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByLabel('Key name').fill('reader');
    await page.getByLabel('Scopes').fill('read:handbook');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('The key reader').waitFor();
    readerKey = await page.getByRole('textbox', { name: 'New API key' }).inputValue();
    expect(readerKey).toMatch(KEY_FORMAT);
    await expect(page.getByText('This tab uses it from now on.').count()).resolves.toBe(0);
    await keys.getByRole('row', { name: /reader/ }).waitFor();
    await expect(keys.getByRole('row').count()).resolves.toBe(3); // the header and two keys
    // The admin tab goes on working with its key.
    await page.goto(`${server.baseUrl}/collections`);
    await page.getByText('No collections yet').waitFor();
  });

  it('keys on (login): a new session is asked for a key, refused a wrong one, let in with a right one, kept for that session only', async () => {
    const session = await newSession();
    try {
      await loginAsReader(session);
    } finally {
      await session.context.close();
    }
  });

  const loginAsReader = async (session: Awaited<ReturnType<typeof newSession>>) => {
    const { page: reader, problems: seen } = session;
    await reader.goto(`${server.baseUrl}/collections`);
    const dialog = reader.getByRole('dialog', { name: 'API key required' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('This server needs an API key');
    await reader.screenshot({ path: path.join(SHOTS, '14-key-prompt.png') });
    await dialog.getByLabel('API key').fill(`ragd_${'0'.repeat(16)}_${'0'.repeat(64)}`);
    await dialog.getByRole('button', { name: 'Use key' }).click();
    await dialog.getByText('The server refused the key in use').waitFor();
    await dialog.getByLabel('API key').fill(readerKey);
    await dialog.getByRole('button', { name: 'Use key' }).click();
    await reader.getByText('No collections yet').waitFor();
    await expect(dialog.count()).resolves.toBe(0);
    await expect(
      reader.evaluate<string | null>("sessionStorage.getItem('ragd.apiKey')"),
    ).resolves.toBe(readerKey);
    // Not an admin key: no keys page in the menu, the models page without its admin actions.
    const menu = reader.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Models' }).click();
    await reader.getByText('are for an admin key').waitFor();
    await expect(menu.getByRole('link', { name: 'Keys' }).count()).resolves.toBe(0);
    await expect(reader.getByRole('button', { name: /^(Load|Unload) / }).count()).resolves.toBe(0);
    await reader.screenshot({ path: path.join(SHOTS, '15-models-reader.png'), fullPage: true });

    // The session's storage only: another tab of the same browser is asked again.
    const tab = await session.context.newPage();
    await tab.goto(`${server.baseUrl}/collections`);
    await tab.getByRole('dialog', { name: 'API key required' }).waitFor();
    await tab.close();

    // Revoked by the admin: the reader's next request is refused and the key asked for again.
    await page.goto(`${server.baseUrl}/keys`);
    await page.getByRole('button', { name: 'Revoke key reader' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    const keys = page.getByRole('region', { name: 'Keys table' });
    await keys.getByRole('row', { name: /reader/ }).waitFor({ state: 'detached' });
    await expect(keys.getByRole('row').count()).resolves.toBe(2); // the header and the admin key
    await menu.getByRole('link', { name: 'Collections' }).click();
    await reader.getByRole('dialog', { name: 'API key required' }).waitFor();
    await expect(
      reader.getByRole('dialog', { name: 'API key required' }).textContent(),
    ).resolves.toContain('The server refused the key in use');
    // What the browser logged there: the refused requests, nothing else.
    expect(seen.filter((p) => !/status of 401 \(Unauthorized\)/.test(p))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
  };

  it('showed no console errors in the admin tab', () => {
    expect(problems).toEqual([]);
  });
});
