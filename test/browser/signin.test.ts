/**
 * The whole browser flow in a real Chromium against `npm start` (tinyoauth plus its sample app, as a
 * subprocess): sign-up, sign-in, consent, back in the sample app with the protected answer; a second
 * visit that skips consent; wrong password and lockout; deny; sign-out. No script of the sample app
 * ever sees a password: it only links to tinyoauth and receives the code on its server.
 *
 * UPDATE_SCREENSHOTS=1 also writes the sign-in and consent pages to docs/screenshots/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_PATHS } from '#contract/pages';
import { SAMPLE_APP_SCOPE } from '#infra/local/sample-client';
import { PROJECT_ROOT } from '#infra/paths';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { launchChromium, skipBrowserTests, visit } from './chromium.ts';

const PASSWORD = 'correct horse battery';
const PROTECTED_MESSAGE = 'Hello from the tinyoauth sample protected service.';
const LOCKOUT_MAX_FAILURES = 3;
const updatingScreenshots = process.env.UPDATE_SCREENSHOTS === '1';

/** Waits for the browser: page loads include scrypt, so allow more than expect.poll's default second. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

let counter = 0;
const newUsername = () => `b${Date.now().toString(36)}${process.pid}x${counter++}`;

describe.skipIf(skipBrowserTests)('signing in from a third-party app, in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  let appUrl: string;
  let clientId: string;
  let stateDirectory: string;

  beforeAll(async () => {
    stateDirectory = await mkdtemp(join(tmpdir(), 'tinyoauth-browser-'));
    // The browser first: when it is missing, nothing else has been started that would need stopping.
    browser = await launchChromium();
    stack = await startLocalStack({
      env: {
        // The documentation shows the default port; tests otherwise take any free one.
        SAMPLE_APP_PORT: updatingScreenshots ? '3001' : '0',
        SAMPLE_APP_STATE_FILE: join(stateDirectory, 'sample-app.json'),
        LOCKOUT_MAX_FAILURES: String(LOCKOUT_MAX_FAILURES),
        SCRYPT_LOG_N: '14',
      },
    });
    // The sample app starts once tinyoauth listens; its line names its URL and client.
    const deadline = Date.now() + 30_000;
    const announced = /Sample app at (http:\/\/localhost:\d+) \(client ([A-Za-z0-9_-]+);/;
    let match = announced.exec(stack.output());
    while (!match) {
      if (Date.now() > deadline) throw new Error(`The sample app did not start:\n${stack.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      match = announced.exec(stack.output());
    }
    appUrl = match[1]!;
    clientId = match[2]!;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (stateDirectory) await rm(stateDirectory, { recursive: true, force: true });
  });

  async function register(username: string) {
    const response = await fetch(`${stack.baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(response.status).toBe(201);
  }

  /** Origins of the documents the page showed (redirects that only passed through are not shown). */
  function shownOrigins(page: Page): string[] {
    const shown: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) shown.push(new URL(frame.url()).origin);
    });
    return shown;
  }

  /** The names of tinyoauth's session cookies the browser would send to this path of tinyoauth. */
  async function sessionCookieNames(page: Page, path: string): Promise<string[]> {
    const cookies = await page.context().cookies(`${stack.baseUrl}${path}`);
    return cookies.map(({ name }) => name).filter((name) => name.endsWith('tinyoauth_session'));
  }

  async function startAtApp(page: Page) {
    await page.goto(appUrl);
    await page.getByRole('button', { name: 'Sign in with tinyoauth' }).click();
  }

  async function expectProtectedAnswer(page: Page) {
    await eventually(() => new URL(page.url()).origin).toBe(appUrl);
    await eventually(() => page.locator('#protected-message').textContent()).toBe(PROTECTED_MESSAGE);
    const answer = JSON.parse((await page.locator('#protected-answer').textContent()) ?? '{}');
    expect(answer.caller).toMatchObject({ client_id: clientId, scope: SAMPLE_APP_SCOPE });
    return answer as { caller: { sub: string } };
  }

  async function signIn(page: Page, username: string, password = PASSWORD) {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  async function screenshotForDocs(page: Page, name: string) {
    if (!updatingScreenshots) return;
    const directory = join(PROJECT_ROOT, 'docs', 'screenshots');
    await mkdir(directory, { recursive: true });
    await page.locator('main').screenshot({ path: join(directory, `${name}.png`) });
  }

  it('signs up, approves the app, and lands in the app with the protected answer', async ({ task }) => {
    const { page, violations } = await visit(browser, task.name);
    await startAtApp(page);

    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    expect(page.url()).toMatch(new RegExp(`^${stack.baseUrl}/authorize\\?`));
    await eventually(() => page.locator('.lead').textContent()).toContain('tinyoauth sample app');
    await screenshotForDocs(page, 'signin');
    await page.getByRole('link', { name: 'Create an account' }).click();

    // Every stack has tables of its own, so the first account can have a readable name.
    const username = 'alice';
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Create an account');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByLabel('Name (optional)', { exact: true }).fill('Alice Liddell');
    await page.getByLabel('Email address (optional)').fill('alice@example.com');
    await page.getByRole('button', { name: 'Create account' }).click();

    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Allow tinyoauth sample app to use your account?',
    );
    await eventually(() => page.locator('ul.scopes').textContent()).toContain('Read your data');
    expect(await page.locator('main').textContent()).toContain(`Signed in as ${username}`);
    await screenshotForDocs(page, 'consent');
    await page.getByRole('button', { name: 'Allow' }).click();

    await expectProtectedAnswer(page);
    // Signed in with OpenID Connect: the app greets the user with what the ID token and userinfo said.
    expect(await page.locator('#user-name').textContent()).toBe('Alice Liddell');
    expect(await page.locator('#user-email').textContent()).toBe('alice@example.com');
    // The session cookie: HttpOnly (no script can read it), Lax, on tinyoauth's pages only.
    const cookie = (await page.context().cookies(`${stack.baseUrl}/authorize`)).find(
      ({ name }) => name === 'tinyoauth_session',
    );
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/authorize' });
    expect(await sessionCookieNames(page, '/protected/resource')).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).not.toContain('tinyoauth_session');
    expect(violations).toEqual([]);
  });

  it('skips the consent page on the second visit', async ({ task }) => {
    const { page, violations } = await visit(browser, task.name);
    const username = newUsername();
    await register(username);
    await startAtApp(page);
    await signIn(page, username);
    await page.getByRole('button', { name: 'Allow' }).click();
    const first = await expectProtectedAnswer(page);

    await page.getByRole('button', { name: 'Sign out of the sample app' }).click();
    await eventually(() => page.getByRole('button', { name: 'Sign in with tinyoauth' }).count()).toBe(1);
    const shown = shownOrigins(page);
    await page.getByRole('button', { name: 'Sign in with tinyoauth' }).click();
    const second = await expectProtectedAnswer(page);
    expect(second.caller.sub).toBe(first.caller.sub);
    // Straight through tinyoauth's redirects: no tinyoauth page was shown.
    expect(shown.filter((origin) => origin !== appUrl)).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('says when the password is wrong, then locks the account, and never lets the app in', async ({
    task,
  }) => {
    const { page, violations } = await visit(browser, task.name);
    const username = newUsername();
    await register(username);
    await startAtApp(page);

    const responses: number[] = [];
    page.on('response', (response) => {
      if (response.url() === `${stack.baseUrl}/signin`) responses.push(response.status());
    });
    for (let attempt = 1; attempt <= LOCKOUT_MAX_FAILURES; attempt++) {
      await signIn(page, username, 'not the password');
      await eventually(() => responses.length).toBe(attempt);
      expect(await page.getByRole('alert').textContent()).toBe('The username or password is incorrect.');
      expect(await page.getByLabel('Username').inputValue()).toBe(username);
    }
    expect(responses).toEqual([401, 401, 401]);

    await signIn(page, username, PASSWORD);
    await eventually(() => responses.length).toBe(LOCKOUT_MAX_FAILURES + 1);
    expect(responses.at(-1)).toBe(429);
    expect(await page.getByRole('alert').textContent()).toMatch(
      /^Too many failed sign-ins for this account\. Try again in \d+ minutes\.$/,
    );
    expect(new URL(page.url()).origin).toBe(stack.baseUrl);
    expect(await sessionCookieNames(page, '/authorize')).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('shows an invalid request before sign-in as a page with a link back, never redirecting', async ({
    task,
  }) => {
    const { page, violations } = await visit(browser, task.name);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: `${appUrl}/callback`,
      scope: 'admin',
      state: 'from-the-test',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    await page.goto(`${stack.baseUrl}/authorize?${query}`);
    expect(new URL(page.url()).origin).toBe(stack.baseUrl);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'This request cannot be completed',
    );
    const site = new URL(appUrl).host;
    // Followed by the user, the link delivers the error response a redirect would have.
    const callback = page.waitForRequest((request) => new URL(request.url()).pathname === '/callback');
    await page.getByRole('link', { name: `Return to ${site}` }).click();
    const landed = new URL((await callback).url());
    expect(landed.origin).toBe(appUrl);
    expect([landed.searchParams.get('error'), landed.searchParams.get('state')]).toEqual([
      'invalid_scope',
      'from-the-test',
    ]);
    expect(landed.searchParams.get('iss')).toBe(stack.baseUrl);
    expect(violations).toEqual([]);
  });

  it('signs in with an existing account and sends a denial back to the app as access_denied', async ({
    task,
  }) => {
    const { page, violations } = await visit(browser, task.name);
    const username = newUsername();
    await register(username);
    await startAtApp(page);
    await signIn(page, username);
    await page.getByRole('button', { name: 'Deny' }).click();

    await eventually(() => new URL(page.url()).origin).toBe(appUrl);
    await eventually(() => page.locator('#app-error').textContent()).toBe(
      'tinyoauth answered access_denied: The user denied the request.',
    );
    expect(await page.locator('#protected-answer').count()).toBe(0);
    expect(violations).toEqual([]);
  });

  it('signs out everywhere through RP-initiated logout, back in the app without a question', async ({
    task,
  }) => {
    const { page, violations } = await visit(browser, task.name);
    const username = newUsername();
    await register(username);
    await startAtApp(page);
    await signIn(page, username);
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectProtectedAnswer(page);
    expect(await page.locator('#user-name').textContent()).toBe(username);

    const shown = shownOrigins(page);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await eventually(() => page.getByRole('button', { name: 'Sign in with tinyoauth' }).count()).toBe(1);
    // The ID token was the hint for this very session: tinyoauth signed out without showing a page.
    expect(shown.filter((origin) => origin !== appUrl)).toEqual([]);
    expect((await page.context().cookies(stack.baseUrl)).map(({ name }) => name)).not.toContain(
      'tinyoauth_session',
    );
    await page.getByRole('button', { name: 'Sign in with tinyoauth' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    expect(violations).toEqual([]);
  });

  it('signs out on the sign-out page, after which the app must ask for a sign-in again', async ({ task }) => {
    const { page, violations } = await visit(browser, task.name);
    const username = newUsername();
    await register(username);
    await startAtApp(page);
    await signIn(page, username);
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectProtectedAnswer(page);

    await page.getByRole('link', { name: 'Sign out of tinyoauth' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign out?');
    expect(await page.locator('main').textContent()).toContain(`Signed in as ${username}`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('You have signed out');
    for (const path of PAGE_PATHS) expect(await sessionCookieNames(page, path)).toEqual([]);

    await page.goto(appUrl);
    await page.getByRole('button', { name: 'Sign out of the sample app' }).click();
    await page.getByRole('button', { name: 'Sign in with tinyoauth' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    expect(violations).toEqual([]);
  });
});
