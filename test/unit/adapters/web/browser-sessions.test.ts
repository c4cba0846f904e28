/** The session cookie and the CSRF tokens of the browser pages (functions/adapters/web/browser-sessions.ts). */
import { describe, expect, it } from 'vitest';
import { type ApiEvent, HttpRequest } from '#adapters/http/request';
import { BrowserSessions, CrossSiteRequestRefused, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { PAGE_PATHS } from '#contract/pages';
import { Accounts } from '#core/users/accounts';
import { Sessions } from '#core/users/sessions';
import { MemoryAccountStore, secondFactorDependencies } from '../../../fakes/accounts.ts';
import { manualClock, memoryKeyRing } from '../../../fakes/keys.ts';

async function setup(issuer = 'http://localhost:3000') {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const { keyRing } = await memoryKeyRing(clock);
  const store = new MemoryAccountStore();
  const sessions = new Sessions({ store, keys: keyRing, issuer, clock });
  const accounts = new Accounts({
    ...secondFactorDependencies(store, clock),
    store,
    sessions,
    clock,
    scrypt: { logN: 14, r: 8, p: 1 },
    sessionTtlSeconds: 3600,
    lockout: { maxFailures: 5, windowSeconds: 900 },
  });
  await accounts.register('alice', 'correct horse battery');
  const browser = new BrowserSessions({ sessions, issuer, clock });
  return {
    clock,
    sessions,
    accounts,
    browser,
    login: () => accounts.login('alice', 'correct horse battery'),
  };
}

const request = (headers: Record<string, string>, multi?: Record<string, string[]>) =>
  new HttpRequest({
    httpMethod: 'POST',
    path: '/x',
    headers,
    multiValueHeaders: multi ?? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: null,
    requestContext: { requestId: 'r' },
  } as unknown as ApiEvent);

describe('cookie attributes', () => {
  it('are HttpOnly, Lax and not Secure on a localhost issuer, living as long as the session, one per page path', async () => {
    const { browser, login, clock } = await setup();
    const { token, session } = await login();
    clock.advance(600);
    expect(browser.sessionCookies(token, session)).toEqual([
      // Earlier versions set it on the whole API: the sign-in that sets the scoped ones removes it.
      'tinyoauth_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
      `tinyoauth_session=${token}; Path=/authorize; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/signin; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/signup; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/signout; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/end_session; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/account; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/verify_email; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/forgot_password; Max-Age=3000; HttpOnly; SameSite=Lax`,
      `tinyoauth_session=${token}; Path=/reset_password; Max-Age=3000; HttpOnly; SameSite=Lax`,
    ]);
  });

  it('are cleared on every page path, and on the whole API where earlier versions set them', async () => {
    const { browser } = await setup();
    expect(browser.clearSessionCookies()).toEqual([
      'tinyoauth_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/authorize; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/signin; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/signup; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/signout; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/end_session; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/account; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/verify_email; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/forgot_password; Max-Age=0; HttpOnly; SameSite=Lax',
      'tinyoauth_session=; Path=/reset_password; Max-Age=0; HttpOnly; SameSite=Lax',
    ]);
  });

  it('never reach a path outside the pages, /protected/* above all', async () => {
    const { browser, login } = await setup('https://auth.example.com/v1');
    const { token, session } = await login();
    const paths = [...browser.sessionCookies(token, session), ...browser.formNonce(request({})).cookies]
      .filter((cookie) => !cookie.includes('Max-Age=0'))
      .map((cookie) => /; Path=([^;]+);/.exec(cookie)?.[1]);
    expect(new Set(paths)).toEqual(new Set(PAGE_PATHS.map((path) => `/v1${path}`)));
    // RFC 6265 §5.1.4: a cookie path matches a request path that equals it or continues it after a "/".
    for (const path of paths) {
      for (const request of ['/v1/protected/resource', '/v1/protected', '/v1/token', '/v1/client', '/v1/']) {
        expect(request === path || request.startsWith(`${path}/`)).toBe(false);
      }
    }
  });

  it('are Secure, __Secure- named and scoped to the stage path behind https', async () => {
    const { browser, login } = await setup('https://abc.execute-api.eu-west-1.amazonaws.com/prod');
    const { token, session } = await login();
    expect(browser.sessionCookies(token, session)[1]).toBe(
      `__Secure-tinyoauth_session=${token}; Path=/prod/authorize; Max-Age=3600; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(browser.clearSessionCookies()[0]).toBe(
      '__Secure-tinyoauth_session=; Path=/prod; Max-Age=0; HttpOnly; Secure; SameSite=Lax',
    );
    expect(browser.origin).toBe('https://abc.execute-api.eu-west-1.amazonaws.com');
  });

  it('are Secure for a plain-http issuer that is not loopback', async () => {
    const { browser } = await setup('http://auth.internal.example');
    expect(browser.secure).toBe(true);
  });

  it.each(['http://127.0.0.1:3000', 'http://[::1]:3000', 'http://localhost'])(
    'are not Secure on %s',
    async (issuer) => {
      expect((await setup(issuer)).browser.secure).toBe(false);
    },
  );
});

describe('the session cookie', () => {
  it('stands for the live session, and not after logout', async () => {
    const { browser, login, sessions } = await setup();
    const { token, session } = await login();
    const withCookie = request({ cookie: `other=1; tinyoauth_session=${token}` });
    expect((await browser.current(withCookie))?.session.sessionId).toBe(session.sessionId);
    await sessions.logout(token);
    expect(await browser.current(withCookie)).toBeUndefined();
  });

  it('is not accepted once the session has expired', async () => {
    const { browser, login, clock } = await setup();
    const { token } = await login();
    clock.advance(3601);
    expect(await browser.current(request({ cookie: `tinyoauth_session=${token}` }))).toBeUndefined();
  });

  it.each(['garbage', 'a.b.c', '', 'eyJ.eyJ.sig'])('ignores a cookie holding %j', async (value) => {
    const { browser } = await setup();
    expect(await browser.current(request({ cookie: `tinyoauth_session=${value}` }))).toBeUndefined();
  });

  it('reads the cookie from any Cookie header line, first value winning', async () => {
    const { browser, login } = await setup();
    const { token } = await login();
    const split = request({}, { Cookie: ['a=1', `tinyoauth_session=${token}`, 'tinyoauth_session=later'] });
    expect(await browser.current(split)).toBeDefined();
    expect(split.cookies().get('tinyoauth_session')).toBe(token);
  });
});

describe('CSRF tokens', () => {
  it('verify only for the same key and purpose', async () => {
    const { browser } = await setup();
    const token = browser.csrfToken('key-1', FORM_PURPOSE.signOut);
    expect(() => browser.checkCsrf('key-1', FORM_PURPOSE.signOut, token)).not.toThrow();
    expect(() => browser.checkCsrf('key-2', FORM_PURPOSE.signOut, token)).toThrow(CrossSiteRequestRefused);
    expect(() => browser.checkCsrf('key-1', FORM_PURPOSE.signIn, token)).toThrow(CrossSiteRequestRefused);
    expect(() =>
      browser.checkCsrf(
        'key-1',
        FORM_PURPOSE.consent('a'),
        browser.csrfToken('key-1', FORM_PURPOSE.consent('b')),
      ),
    ).toThrow(CrossSiteRequestRefused);
    expect(() => browser.checkCsrf(undefined, FORM_PURPOSE.signOut, token)).toThrow(CrossSiteRequestRefused);
    expect(() => browser.checkCsrf('key-1', FORM_PURPOSE.signOut, undefined)).toThrow(
      CrossSiteRequestRefused,
    );
    expect(() => browser.checkCsrf('key-1', FORM_PURPOSE.signOut, `${token}x`)).toThrow(
      CrossSiteRequestRefused,
    );
  });

  it('reuses the form nonce a browser holds and mints one otherwise', async () => {
    const { browser } = await setup();
    const fresh = browser.formNonce(request({}));
    expect(fresh.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh.cookies).toEqual(
      PAGE_PATHS.map(
        (path) => `tinyoauth_form=${fresh.nonce}; Path=${path}; Max-Age=3600; HttpOnly; SameSite=Lax`,
      ),
    );
    const kept = browser.formNonce(request({ cookie: `tinyoauth_form=${fresh.nonce}` }));
    expect(kept).toEqual({ nonce: fresh.nonce, cookies: [] });
    expect(browser.presentedNonce(request({ cookie: 'tinyoauth_form=short' }))).toBeUndefined();
  });
});

describe('same-origin check', () => {
  it.each([
    [{}, true],
    [{ origin: 'http://localhost:3000' }, true],
    // Chromium sends Origin: null for a form on a page with Referrer-Policy: no-referrer.
    [{ origin: 'null', 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'none' }, true],
    [{ origin: 'http://localhost:3001' }, false],
    [{ origin: 'http://localhost:3000.evil.example' }, false],
    [{ origin: 'null', 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'same-site' }, false],
  ])('%j → allowed: %s', async (headers, allowed) => {
    const { browser } = await setup();
    const check = () => browser.checkSameOrigin(request(headers));
    if (allowed) expect(check).not.toThrow();
    else expect(check).toThrow(CrossSiteRequestRefused);
  });
});
