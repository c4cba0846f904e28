/**
 * Passkeys in a real Chromium against `npm start`, with the DevTools protocol's virtual authenticator
 * (a discoverable credential, user verification): one registered and named on the account page, then
 * used alone to sign in from the sample app (the OAuth request carried through the passkey step), and
 * the same browser's response posted again is refused (its challenge was consumed), and the passkey
 * as the second step after the password when TOTP is on. The passkey
 * pages run our one script and must cause no CSP violation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../fakes/totp.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { launchChromium, skipBrowserTests, visit } from './chromium.ts';

const PASSWORD = 'correct horse battery';
const PROTECTED_MESSAGE = 'Hello from the tinyoauth sample protected service.';
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

describe.skipIf(skipBrowserTests)('passkeys, in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  let appUrl: string;
  let stateDirectory: string;

  beforeAll(async () => {
    stateDirectory = await mkdtemp(join(tmpdir(), 'tinyoauth-passkeys-'));
    browser = await launchChromium();
    stack = await startLocalStack({
      env: {
        SAMPLE_APP_PORT: '0',
        SAMPLE_APP_STATE_FILE: join(stateDirectory, 'app.json'),
        SCRYPT_LOG_N: '14',
      },
    });
    const announced = /Sample app at (http:\/\/localhost:\d+) \(client /;
    const deadline = Date.now() + 30_000;
    while (!announced.test(stack.output())) {
      if (Date.now() > deadline) throw new Error(`The sample app did not start:\n${stack.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    appUrl = announced.exec(stack.output())![1]!;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (stateDirectory) await rm(stateDirectory, { recursive: true, force: true });
  });

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

  /** Chromium's virtual authenticator, answering every ceremony of this page at once. */
  async function virtualAuthenticator(page: Page) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  }

  let counter = 0;
  /** A new account, signed in with its password, that registers a passkey on its account page. */
  async function accountWithPasskey(page: Page): Promise<string> {
    const username = `p${Date.now().toString(36)}x${counter++}`;
    const registered = await fetch(`${stack.baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    expect(registered.status).toBe(201);

    await page.goto(`${stack.baseUrl}/signin`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await eventually(() => page.locator('main').textContent()).toContain(username);
    await page.goto(`${stack.baseUrl}/account`);
    await page.getByLabel('Name of the new passkey').fill('Laptop screen lock');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await eventually(() => heading(page)).toBe('Add a passkey');
    await page.getByRole('button', { name: 'Create the passkey' }).click();
    await eventually(() => page.locator('.notice').textContent()).toBe('Your passkey is added.');
    expect(await page.locator('#passkeys').textContent()).toContain('Laptop screen lock');

    return username;
  }

  it('registers a named passkey, signs in with it alone from the app, and refuses a replay', async ({
    task,
  }) => {
    const { page, context, violations } = await visit(browser, task.name);
    await virtualAuthenticator(page);
    const username = await accountWithPasskey(page);

    // Signed out, the passkey alone signs in from the app, through consent, to the protected answer.
    await context.clearCookies();
    await page.goto(appUrl);
    await page.getByRole('button', { name: 'Sign in with tinyoauth' }).click();
    await eventually(() => heading(page)).toBe('Sign in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await eventually(() => heading(page)).toBe('Sign in with a passkey');
    const posted = page.waitForRequest(
      (request) => request.method() === 'POST' && /credential=/.test(request.postData() ?? ''),
    );
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const finish = await posted;
    await eventually(() => heading(page)).toBe('Allow tinyoauth sample app to use your account?');
    expect(await page.locator('main').textContent()).toContain(`Signed in as ${username}`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await eventually(() => page.locator('#protected-message').textContent()).toBe(PROTECTED_MESSAGE);

    // The very same response, posted again with its CSRF token and cookies: its challenge is used.
    const replay = await context.request.post(finish.url(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.baseUrl },
      data: finish.postData() ?? '',
      maxRedirects: 0,
    });
    expect(replay.status()).toBe(401);
    expect(await replay.text()).toContain('The passkey was not accepted.');
    expect(violations).toEqual([]);
  });

  it('offers the passkey as the second step after the password when TOTP is on, and to confirm deletion', async ({
    task,
  }) => {
    const { page, context, violations } = await visit(browser, task.name);
    await virtualAuthenticator(page);
    const username = await accountWithPasskey(page);
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const { token } = (await (await post('/login', { username, password: PASSWORD })).json()) as {
      token: string;
    };
    const { secret } = (await (await post('/account/totp', {}, token)).json()) as { secret: string };
    expect((await post('/account/totp/confirm', { code: totpCode(secret, Date.now()) }, token)).status).toBe(
      200,
    );

    await context.clearCookies();
    await page.goto(`${stack.baseUrl}/signin`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await eventually(() => heading(page)).toBe('Enter your code');
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await eventually(() => heading(page)).toBe('Confirm with your passkey');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await eventually(() => page.locator('main').textContent()).toContain(username);
    await page.goto(`${stack.baseUrl}/account`);
    expect(await page.locator('main').textContent()).toContain('with a second factor');

    // The passkey re-checks the deletion instead of the password.
    await page.getByRole('button', { name: 'Delete my account with a passkey instead' }).click();
    await eventually(() => heading(page)).toBe('Delete your account');
    await page.getByRole('button', { name: 'Confirm and delete my account' }).click();
    await eventually(() => heading(page)).toBe('Your account is deleted');
    expect(violations).toEqual([]);
  });
});
