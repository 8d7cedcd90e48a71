/**
 * The web app as a person uses it: Debian's Chromium (playwright-core) against the built server
 * started as a process with the tiny generated models. Creates a collection, uploads a PDF, a
 * Markdown file, a damaged PDF and a slow URL as one job, reloads while the job runs, asks, opens
 * the citation and checks the passage is marked on the right PDF page; then the search playground,
 * the models page and, against the keys contract, the API key prompt. Screenshots of every page go
 * to test/artifacts/web/ (gitignored). jest.config.js leaves this suite out when no browser exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { ServerProcess, killAllServers } from '../support/server-process';
import { launchChromium } from '../support/chromium';
import { makePdf } from '../support/document-files';
import { startLocalSite, type LocalSite } from '../support/local-site';
import { TINY_ENV, tempDir, tinyModelsPresent } from '../support/test-app';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test/artifacts/web');
/** How long the slow URL of the job takes to answer: the page is reloaded meanwhile. */
const SLOW_URL_MS = 5000;

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
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  /** Console errors and page errors, with the URL they came from. */
  const problems: string[] = [];

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };
  const watch = (p: Page) => {
    p.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') problems.push(`${m.text()} (${m.location().url})`);
    });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
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
    server = await ServerProcess.start(
      ROOT,
      { ...TINY_ENV, STORAGE_DIR: tempDir(), URL_FETCH_ALLOW: '127.0.0.1' },
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
    await expect(page.evaluate<string | undefined>('document.activeElement?.id')).resolves.toBe(
      'collection-name',
    );
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

  it('deletes a collection after asking to confirm', async () => {
    await page.goto(`${server.baseUrl}/collections`);
    await page.getByRole('button', { name: 'Delete collection handbook' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).waitFor();
    await shot('11-delete-confirm');
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No collections yet').waitFor();
  });

  it('shows no console errors but the keys routes this server lacks', async () => {
    await page.goto(`${server.baseUrl}/keys`);
    await page.getByText('This server has no API key routes').waitFor();
    await shot('12-keys');
    const unexpected = problems.filter(
      (p) => !/Failed to load resource: .* 404 .*\/v1\/keys\b/.test(p),
    );
    expect(unexpected).toEqual([]);
  });

  it('asks for an API key on a 401 and sends it as a bearer token (the keys contract, routed)', async () => {
    // The keys routes come with another change: until then the browser answers 401 for the
    // server, as it will without a key, and passes requests with the key through to it.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const keyed = await context.newPage();
    const seen: (string | undefined)[] = [];
    await keyed.route('**/v1/**', async (route) => {
      const auth = route.request().headers().authorization;
      seen.push(auth);
      if (auth === 'Bearer test-key') return route.continue();
      return route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'unauthorized', message: 'An API key is required' },
        }),
      });
    });
    await keyed.goto(`${server.baseUrl}/collections`);
    const dialog = keyed.getByRole('dialog', { name: 'API key required' });
    await dialog.waitFor();
    await keyed.screenshot({ path: path.join(SHOTS, '13-key-prompt.png') });
    await dialog.getByLabel('API key').fill('test-key');
    await dialog.getByRole('button', { name: 'Use key' }).click();
    await keyed.getByText('No collections yet').waitFor();
    await expect(keyed.evaluate<string>("sessionStorage.getItem('ragd.apiKey')")).resolves.toBe(
      'test-key',
    );
    expect(seen[0]).toBeUndefined();
    expect(seen[seen.length - 1]).toBe('Bearer test-key');
    await keyed.getByRole('button', { name: 'Forget API key' }).waitFor();
    await context.close();
  });
});
