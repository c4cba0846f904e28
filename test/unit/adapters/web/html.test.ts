import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPasskeyScriptHandler } from '#adapters/endpoints/assets/passkey-script';
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
import { PASSKEY_SCRIPT_PATH } from '#contract/pages';
import { VENDORED_MODULE, vendoredSource } from '#infra/package/vendor-webauthn';
import { projectPath } from '#infra/paths';
import { apiEvent } from '../../../fakes/events.ts';
import { silentLogger } from '../../../fakes/logger.ts';

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

  it('allows a script only on a page that names it, by its full URL, loaded from a src', () => {
    const src = 'https://auth.example.com/passkey.js';
    const response = page(html`<h1>Passkey</h1>`, { title: 'Passkey', scripts: [src] });
    expect(response.headers?.['Content-Security-Policy']).toContain(`; script-src ${src}; form-action`);
    expect(response.body).toContain(`<script src="${src}" defer></script>`);
    expect(String(response.body).match(/<script/g)).toHaveLength(1);
    expect(pageHeaders()['Content-Security-Policy']).not.toContain('script-src');
  });
});

describe('the passkey script', () => {
  it('is the installed @simplewebauthn/browser build (npm run vendor:webauthn after an upgrade)', () => {
    expect(readFileSync(projectPath(VENDORED_MODULE), 'utf8')).toBe(vendoredSource());
  });

  it('is served as JavaScript from our origin, with the library first', async () => {
    const handler = createPasskeyScriptHandler(silentLogger);
    const result = await handler(apiEvent({ method: 'GET', path: PASSKEY_SCRIPT_PATH }));
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      'Content-Type': 'text/javascript; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(result.body.startsWith('/* [@simplewebauthn/browser@')).toBe(true);
    expect(result.body).toContain('form[data-passkey]');
  });
});
