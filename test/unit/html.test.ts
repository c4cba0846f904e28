import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorPage } from '#adapters/http/errors';
import { httpHandler } from '#adapters/http/handler';
import { type ApiEvent, HttpRequest } from '#adapters/http/request';
import { seeOther, toApiResult } from '#adapters/http/responses';
import {
  escapeHtml,
  formActionSource,
  html,
  page,
  pageHeaders,
  SafeHtml,
  STYLE_SOURCE,
  STYLESHEET,
} from '#adapters/web/html';
import { InvalidRequest, OAuthError, TooManyAttempts } from '#core/errors';
import { recordingLogger } from '../fakes/logger.ts';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
    ["' onmouseover='alert(1)", '&#39; onmouseover=&#39;alert(1)'],
    ['`backticks`', '&#96;backticks&#96;'],
    ['&lt; already escaped', '&amp;lt; already escaped'],
    ['</style><style>*{}', '&lt;/style&gt;&lt;style&gt;*{}'],
    ['<!-- comment -->', '&lt;!-- comment --&gt;'],
    ['plain text, ünïcödé and emoji 🔐', 'plain text, ünïcödé and emoji 🔐'],
    ['', ''],
  ])('escapes %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('leaves no character that could end an attribute or start a tag', () => {
    const hostile = `<>"'\`&${String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i))}`;
    expect(escapeHtml(hostile)).not.toMatch(/[<>"'`]/);
  });
});

describe('the html tag', () => {
  it('escapes every interpolated string and number', () => {
    const name = '<b>bold</b>';
    expect(html`<p title="${name}">${name} ${42}</p>`.markup).toBe(
      '<p title="&lt;b&gt;bold&lt;/b&gt;">&lt;b&gt;bold&lt;/b&gt; 42</p>',
    );
  });

  it('keeps SafeHtml, flattens arrays and drops null, undefined and false', () => {
    const items = ['<a>', '<b>'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}`.markup).toBe(
      '<ul><li>&lt;a&gt;</li><li>&lt;b&gt;</li></ul>',
    );
    expect(html`${new SafeHtml('<hr>')}`.markup).toBe('<hr>');
  });

  it('does not treat a string that looks like markup as safe', () => {
    const pretending = { markup: '<script>' } as unknown as string;
    expect(html`${pretending}`.markup).toBe('[object Object]');
  });
});

describe('formActionSource', () => {
  it.each([
    ['https://app.example.com/callback?x=1', 'https://app.example.com'],
    ['http://localhost:3001/callback', 'http://localhost:3001'],
    ['http://127.0.0.1:8765/cb', 'http://127.0.0.1:8765'],
    ['http://[::1]:8080/cb', 'http://[::1]:8080'],
    ['https://APP.Example.com:443/cb', 'https://app.example.com'],
  ])('gives the origin of %s', (url, origin) => {
    expect(formActionSource(url)).toBe(origin);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>',
    'com.example.app:/callback',
    'not a url',
    "https://a.example.com;script-src 'unsafe-inline'/cb",
  ])('gives nothing for %s', (url) => {
    expect(formActionSource(url)).toBeUndefined();
  });
});

describe('page headers', () => {
  it('sends a strict CSP that allows exactly the stylesheet', () => {
    const hash = createHash('sha256').update(STYLESHEET).digest('base64');
    expect(STYLE_SOURCE).toBe(`'sha256-${hash}'`);
    expect(pageHeaders(['https://app.example.com', 'https://app.example.com'])).toEqual({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self' https://app.example.com; frame-ancestors 'none'; base-uri 'none'`,
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
  });

  it('puts the stylesheet in the page byte for byte, so the hash matches', () => {
    const response = page(html`<h1>Hi</h1>`, { title: 'Hi' });
    expect(response.body).toContain(`<style>${STYLESHEET}</style>`);
    expect(response.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(response.body).toContain('<html lang="en">');
    expect(response.body).not.toMatch(/<script|\sstyle=|\son\w+=/i);
  });

  it('escapes the title', () => {
    const response = page(html``, { title: '</title><script>' });
    expect(response.body).toContain('<title>&lt;/title&gt;&lt;script&gt; · tinyoauth</title>');
  });
});

describe('responses', () => {
  it('sends each cookie as its own Set-Cookie line', () => {
    const result = toApiResult(
      seeOther('https://auth.example.com/authorize?a=1', ['a=1; Path=/', 'b=2; Path=/']),
    );
    expect(result.statusCode).toBe(303);
    expect(result.headers?.Location).toBe('https://auth.example.com/authorize?a=1');
    expect(result.headers?.['Set-Cookie']).toBeUndefined();
    expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'] });
  });

  it('sets no multiValueHeaders without cookies', () => {
    expect(toApiResult(seeOther('https://a.example/')).multiValueHeaders).toBeUndefined();
  });

  it('keeps Retry-After on an error page and nothing else from the error', () => {
    class SlowDown extends OAuthError {
      readonly status = 429;
      readonly code = 'slow_down';
    }
    const response = errorPage(
      new SlowDown('Slow down <now>', { headers: { 'Retry-After': '60', 'X-Other': 'no' } }),
    );
    expect(response.status).toBe(429);
    expect(response.headers?.['Retry-After']).toBe('60');
    expect(response.headers?.['X-Other']).toBeUndefined();
    expect(response.body).toContain('Slow down &lt;now&gt;');
  });
});

const event = (headers: Record<string, string>): ApiEvent =>
  ({ httpMethod: 'GET', path: '/x', headers, body: null, requestContext: { requestId: 'r' } }) as ApiEvent;

describe('prefersHtml', () => {
  it.each([
    [{ accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, true],
    [{ Accept: 'TEXT/HTML' }, true],
    [{ accept: 'application/json' }, false],
    [{ accept: '*/*' }, false],
    [{}, false],
    [{ accept: 'text/htmlx' }, false],
    [{ accept: 'text/html', authorization: 'Bearer x' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(new HttpRequest(event(headers)).prefersHtml()).toBe(expected);
  });
});

describe('httpHandler for pages', () => {
  const { logger, lines } = recordingLogger();
  const failing = (error: unknown) => httpHandler(async () => Promise.reject(error), { logger, pages: true });

  it('answers a browser with an error page and an API caller with JSON', async () => {
    const refused = failing(new InvalidRequest('Bad <thing>.'));
    const asPage = await refused(event({ accept: 'text/html' }));
    expect(asPage.statusCode).toBe(400);
    expect(asPage.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(asPage.body).toContain('Bad &lt;thing&gt;.');
    const asJson = await refused(event({ accept: 'application/json' }));
    expect(asJson.statusCode).toBe(400);
    expect(JSON.parse(asJson.body)).toEqual({ error: 'invalid_request', error_description: 'Bad <thing>.' });
  });

  it('never shows an unexpected error, and logs it', async () => {
    const result = await failing(new Error('secret internals'))(event({ accept: 'text/html' }));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret internals');
    expect(result.body).toContain('An unexpected error occurred.');
    expect(lines.join('\n')).toContain('secret internals');
  });

  it('keeps Retry-After for a lockout page', async () => {
    const result = await failing(new TooManyAttempts('Locked.', 90))(event({ accept: 'text/html' }));
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['Retry-After']).toBe('90');
  });
});
