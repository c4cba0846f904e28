/**
 * Keeping an account, in a real Chromium against `npm start`: an email address verified from the
 * outbox, a forgotten password reset from the outbox link (the old session dead, the new password
 * working), TOTP enrolled from the page and used to sign in with a code and with a recovery code, and
 * the account deleted from its page with its access tokens refused at /protected at once. Every page
 * must load without a CSP violation (the QR code is inline SVG, no script).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkce } from '../fakes/events.ts';
import { lastLink, mailsTo } from '../fakes/outbox.ts';
import { totpCode } from '../fakes/totp.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { launchChromium, skipBrowserTests, visit } from './chromium.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const REDIRECT = 'https://app.example.com/callback';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

let counter = 0;
const newUsername = () => `a${Date.now().toString(36)}${process.pid}x${counter++}`;

describe.skipIf(skipBrowserTests)('keeping an account, in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  let outbox: string;

  beforeAll(async () => {
    outbox = await mkdtemp(join(tmpdir(), 'tinyoauth-outbox-'));
    browser = await launchChromium();
    stack = await startLocalStack({
      env: { OUTBOX_DIR: outbox, SCRYPT_LOG_N: '14', AUTHORIZER_CACHE_TTL_SECONDS: '0' },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (outbox) await rm(outbox, { recursive: true, force: true });
  });

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

  async function api(path: string, init: { json?: unknown; token?: string; form?: Record<string, string> }) {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    return fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers, body, redirect: 'manual' });
  }

  /** An account with a verified address, made through the JSON API and a link from the outbox. */
  async function verifiedAccount(): Promise<{ username: string; email: string }> {
    const username = newUsername();
    const email = `${username}@example.com`;
    expect((await api('/register', { json: { username, password: PASSWORD, email } })).status).toBe(201);
    const token = (await lastLink(outbox, email, '/verify_email')).searchParams.get('token');
    expect((await api('/email/verify', { json: { token } })).status).toBe(200);
    return { username, email };
  }

  async function signInAt(page: Page, username: string, password = PASSWORD) {
    await page.goto(`${stack.baseUrl}/signin`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('verifies the address given at sign-up from the link in the outbox', async ({ task }) => {
    const { page, violations } = await visit(browser, task.name);
    const username = newUsername();
    const email = `${username}@example.com`;
    await page.goto(`${stack.baseUrl}/signup`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByLabel('Email address (optional)').fill(email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await eventually(() => mailsTo(outbox, email).then((mails) => mails.length)).toBe(1);
    const [mail] = await mailsTo(outbox, email);
    expect(mail?.subject).toBe('Confirm your email address');
    expect(mail?.text).toContain(username);

    await page.goto(`${stack.baseUrl}/account`);
    await eventually(() => page.locator('main').textContent()).toContain('not verified yet');
    await page.goto((await lastLink(outbox, email, '/verify_email')).toString());
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await eventually(() => page.locator('.notice').textContent()).toBe(`${email} is confirmed.`);
    // The link works once.
    await page.goto((await lastLink(outbox, email, '/verify_email')).toString());
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await eventually(() => page.locator('[role="alert"]').textContent()).toContain(
      'expired or was already used',
    );
    await page.goto(`${stack.baseUrl}/account`);
    await eventually(() => page.locator('main').textContent()).toContain(`${email} is verified.`);
    expect(violations).toEqual([]);
  });

  it('resets a forgotten password from the outbox link, ending the old session', async ({ task }) => {
    const { username, email } = await verifiedAccount();
    const old = await visit(browser, `${task.name} (old session)`);
    await signInAt(old.page, username);
    await old.page.goto(`${stack.baseUrl}/account`);
    await eventually(() => heading(old.page)).toBe('Your account');

    const { page, violations } = await visit(browser, task.name);
    await page.goto(`${stack.baseUrl}/signin`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Username or email address').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await eventually(() => heading(page)).toBe('Check your mail');
    await page.goto((await lastLink(outbox, email, '/reset_password')).toString());
    await eventually(() => heading(page)).toBe('Choose a new password');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await eventually(() => heading(page)).toBe('Your password is changed');

    // The old session is over: its account page sends it to sign in.
    await old.page.goto(`${stack.baseUrl}/account`);
    await eventually(() => heading(old.page)).toBe('Sign in');
    await signInAt(page, username, PASSWORD);
    await eventually(() => page.locator('[role="alert"]').textContent()).toContain('incorrect');
    await signInAt(page, username, NEW_PASSWORD);
    await page.goto(`${stack.baseUrl}/account`);
    await eventually(() => heading(page)).toBe('Your account');
    expect([...violations, ...old.violations]).toEqual([]);
  });

  it('enrols TOTP and signs in with a code, then with a recovery code', async ({ task }) => {
    const { page, violations } = await visit(browser, task.name);
    const username = newUsername();
    expect((await api('/register', { json: { username, password: PASSWORD } })).status).toBe(201);
    await signInAt(page, username);
    await page.goto(`${stack.baseUrl}/account`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect.poll(() => page.locator('.qr svg').count()).toBe(1);
    const secret = (await page.locator('#totp-secret').textContent()) ?? '';
    const enrolledAt = Date.now();
    await page.getByLabel('The six-digit code the app shows').fill(totpCode(secret, enrolledAt));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await eventually(() => heading(page)).toBe('Save your recovery codes');
    const codes = await page.locator('#recovery-codes li').allTextContents();
    expect(codes).toHaveLength(10);

    // A fresh browser: the password alone opens no session.
    const second = await visit(browser, `${task.name} (code)`);
    await signInAt(second.page, username);
    await eventually(() => heading(second.page)).toBe('Enter your code');
    // The enrolment's code is spent: the next step's code (accepted within one step of drift) works.
    await second.page
      .getByLabel('Code from your authenticator app')
      .fill(totpCode(secret, enrolledAt + 30_000));
    await second.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await second.page.goto(`${stack.baseUrl}/account`);
    await eventually(() => heading(second.page)).toBe('Your account');
    await eventually(() => second.page.locator('main').textContent()).toContain('with a second factor');

    const third = await visit(browser, `${task.name} (recovery code)`);
    await signInAt(third.page, username);
    await eventually(() => heading(third.page)).toBe('Enter your code');
    await third.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await third.page.getByLabel('Recovery code').fill(codes[0] ?? '');
    await third.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await third.page.goto(`${stack.baseUrl}/account`);
    await eventually(() => heading(third.page)).toBe('Your account');

    // A recovery code works once.
    const fourth = await visit(browser, `${task.name} (spent code)`);
    await signInAt(fourth.page, username);
    await fourth.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await fourth.page.getByLabel('Recovery code').fill(codes[0] ?? '');
    await fourth.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await eventually(() => fourth.page.locator('[role="alert"]').textContent()).toContain('incorrect');
    expect([...violations, ...second.violations, ...third.violations, ...fourth.violations]).toEqual([]);
  });

  it('deletes the account, and its access tokens are refused at /protected at once', async ({ task }) => {
    const username = newUsername();
    expect((await api('/register', { json: { username, password: PASSWORD } })).status).toBe(201);
    const session = (await (await api('/login', { json: { username, password: PASSWORD } })).json()).token;
    const created = await (
      await api('/client', { token: session, json: { client_name: 'Doomed', redirect_uris: [REDIRECT] } })
    ).json();
    const { verifier, challenge } = pkce();
    const authorize = new URL(`${stack.baseUrl}/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: created.client_id,
      redirect_uri: REDIRECT,
      scope: 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(name, value);
    const authorized = await fetch(authorize, {
      headers: { authorization: `Bearer ${session}` },
      redirect: 'manual',
    });
    const code = new URL(authorized.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await (
      await fetch(`${stack.baseUrl}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        }).toString(),
      })
    ).json();
    const callProtected = () =>
      fetch(`${stack.baseUrl}/protected/hello`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
    expect((await callProtected()).status).toBe(200);

    const { page, violations } = await visit(browser, task.name);
    await signInAt(page, username);
    await page.goto(`${stack.baseUrl}/account`);
    await page.getByLabel('Your password').last().fill(PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await eventually(() => heading(page)).toBe('Your account is deleted');

    expect((await callProtected()).status).toBe(401);
    expect((await api('/login', { json: { username, password: PASSWORD } })).status).toBe(401);
    await page.goto(`${stack.baseUrl}/account`);
    await eventually(() => heading(page)).toBe('Sign in');
    expect(violations).toEqual([]);
  });
});
