/**
 * Debian's Chromium driven by playwright-core (no browser download): whether it is there, how it is
 * launched, and screenshots of every open page when a test fails.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { PROJECT_ROOT } from '#infra/paths';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumInstalled = existsSync(CHROMIUM);
/** In CI a missing browser is a failure; on a workstation the browser tests are skipped. */
export const chromiumRequired = process.env.CI === 'true';
export const skipBrowserTests = !chromiumInstalled && !chromiumRequired;

if (skipBrowserTests) {
  console.warn(
    `Skipping the browser tests: ${CHROMIUM} is not installed. Install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
}

export const FAILURE_DIRECTORY = join(PROJECT_ROOT, 'test-results', 'browser');

export async function launchChromium(): Promise<Browser> {
  if (!chromiumInstalled) {
    throw new Error(
      `${CHROMIUM} is missing: CI must install Debian's chromium package (apt-get install -y chromium).`,
    );
  }
  // playwright-core gives every launch a fresh, temporary user-data-dir of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
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
    timeout: 30_000,
  });
}

/** A phone-sized page in a fresh context (no cookies), whose failures leave screenshots behind. */
export interface BrowserVisit {
  context: BrowserContext;
  page: Page;
  /** Console messages about refused content (CSP violations): a page must never cause one. */
  violations: string[];
}

const fileName = (text: string) =>
  text
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

async function screenshotAll(context: BrowserContext, testName: string): Promise<void> {
  await mkdir(FAILURE_DIRECTORY, { recursive: true });
  const pages = context.pages();
  for (const [index, open] of pages.entries()) {
    const base = join(FAILURE_DIRECTORY, `${fileName(testName)}-${index + 1}`);
    await open.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
    const markup = await open.content().catch(() => '');
    await writeFile(`${base}.html`, `<!-- ${open.url()} -->\n${markup}`).catch(() => {});
  }
  console.error(`Screenshots of ${pages.length} page(s) written to ${FAILURE_DIRECTORY}`);
}

export async function visit(browser: Browser, testName: string): Promise<BrowserVisit> {
  const context = await browser.newContext({ viewport: { width: 420, height: 800 }, locale: 'en-US' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  // afterEach hooks run before this, so the pages are still open when a failure is recorded.
  onTestFinished(async ({ task }) => {
    if (task.result?.state === 'fail') await screenshotAll(context, testName);
    await context.close();
  });
  return { context, page, violations };
}
