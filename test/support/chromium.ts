/**
 * Debian's Chromium driven by playwright-core for the web app's browser tests. jest.config.js
 * finds the browser (CHROMIUM_PATH, else the usual paths) and leaves the browser suites out, with
 * one line saying so, when there is none; here it is launched headless (playwright gives every
 * launch a fresh temporary profile) without the background traffic that this machine's closed
 * network would refuse.
 */
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export function chromiumPath(): string {
  const found = process.env.CHROMIUM_PATH;
  if (!found || !fs.existsSync(found))
    throw new Error(
      "No Chromium: set CHROMIUM_PATH or install Debian's chromium (jest.config.js leaves this suite out when it finds none)",
    );
  return found;
}

export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
