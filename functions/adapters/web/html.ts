/**
 * Server-rendered HTML for the browser pages (sign-in, sign-up, consent, sign-out): escaping by
 * construction, one stylesheet allowed by its hash, and the security headers every page carries. The
 * pages are plain HTML forms, so nothing here needs a front-end build; the one script is the passkey
 * forms' (adapters/web/scripts), from our origin, allowed only on the pages that have such a form.
 */
import { createHash } from 'node:crypto';
import type { HttpResponse } from '#adapters/http/responses';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Text → HTML that shows exactly that text, in element content and in quoted attribute values alike.
 * Every page quotes its attributes with `"`, so escaping these six characters is enough for both.
 */
export const escapeHtml = (text: string): string => text.replace(/[&<>"'`]/g, (char) => ESCAPES[char]!);

/** Markup that is already safe: produced by `html` or by this module, never from a request. */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  // `false`, null and undefined render as nothing, so `${condition && html`…`}` reads naturally.
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * A template tag that escapes every interpolated value unless it is SafeHtml: forgetting to escape
 * is not possible, only deliberately wrapping a string in SafeHtml.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(markup);
}

/**
 * The one stylesheet. It is inlined and allowed by its hash, so a page is a single response (one
 * Lambda call, no asset route) and the CSP still admits no other style and no script at all.
 */
export const STYLESHEET = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--accent:#0b5cad;--accent-fg:#fff;--error-bg:#ffebe9;--error-fg:#82071e;--ok-bg:#dafbe1;--ok-fg:#116329}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--line:#3d444d;--accent:#4493f8;--accent-fg:#0d1117;--error-bg:#3c1618;--error-fg:#ffa198;--ok-bg:#12261e;--ok-fg:#7ee2a8}}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg)}
main{max-width:26rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1.5rem}
.brand{margin:0 0 1rem;font-weight:700;letter-spacing:.02em;color:var(--muted)}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .5rem}
p{margin:.5rem 0}
.lead{color:var(--muted);margin-bottom:1.25rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=email],input[type=password]{display:block;width:100%;font:inherit;padding:.625rem .75rem;border:1px solid var(--line);border-radius:.5rem;background:var(--bg);color:var(--fg)}
input:focus,button:focus,a:focus{outline:3px solid var(--accent);outline-offset:2px}
.hint{font-size:.875rem;color:var(--muted);margin:.25rem 0 0}
button{display:block;width:100%;font:inherit;font-weight:600;margin-top:1.25rem;padding:.75rem 1rem;border-radius:.5rem;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer}
button.secondary{background:transparent;color:var(--fg);border-color:var(--line);margin-top:.75rem}
.alert{border-radius:.5rem;padding:.75rem 1rem;margin:1rem 0;background:var(--error-bg);color:var(--error-fg);font-weight:600}
.notice{border-radius:.5rem;padding:.75rem 1rem;margin:1rem 0;background:var(--ok-bg);color:var(--ok-fg)}
ul.scopes{padding-left:1.25rem;margin:.5rem 0 1rem}
ul.scopes li{margin:.25rem 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
a{color:var(--accent)}
.meta{font-size:.875rem;color:var(--muted);margin-top:1.25rem}
.client{overflow-wrap:anywhere}
section{border-top:1px solid var(--line);margin-top:1.5rem;padding-top:.5rem}
h2{font-size:1.125rem;margin:.75rem 0 .25rem}
.qr svg{display:block;width:13rem;height:13rem;margin:.75rem 0}
.secret,ul.codes{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
ul.codes{columns:2;padding-left:1.25rem}
ul.sessions{padding-left:1.25rem}
button.danger{background:var(--error-fg);border-color:var(--error-fg);color:var(--card)}
`;

/** The CSP source that admits exactly STYLESHEET. */
export const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLESHEET, 'utf8').digest('base64')}'`;

const ORIGIN = /^https?:\/\/(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin of an http(s) URL as a CSP source, or undefined when it is anything else. A form whose
 * POST ends in a redirect to a client (its redirect URI) needs that origin in `form-action`, because
 * browsers check every redirect of a form submission against it.
 */
export function formActionSource(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const { protocol, origin } = new URL(url);
  if (protocol !== 'https:' && protocol !== 'http:') return undefined;
  return ORIGIN.test(origin) ? origin : undefined;
}

/** The headers of every page: nothing may frame it, load into it, or learn where the user came from. */
export function pageHeaders(
  formActions: readonly string[] = [],
  scripts: readonly string[] = [],
): Record<string, string> {
  const actions = ["'self'", ...new Set(formActions)].join(' ');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': [
      "default-src 'none'",
      `style-src ${STYLE_SOURCE}`,
      // Only a page that names a script (by its full URL, so no other file of the origin) runs one.
      ...(scripts.length > 0 ? [`script-src ${scripts.join(' ')}`] : []),
      `form-action ${actions}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export interface PageOptions {
  title: string;
  status?: number;
  /** Origins, besides 'self', that the page's forms (and redirects after them) may lead to. */
  formActions?: readonly string[];
  cookies?: string[];
  /** Extra headers, e.g. `Retry-After`. */
  headers?: Record<string, string>;
  /** Absolute URLs of the scripts the page loads (the passkey script): each is allowed, and nothing else. */
  scripts?: readonly string[];
}

/** A whole page around `content`: a card with the product name, readable on a phone. */
export function page(content: SafeHtml, options: PageOptions): HttpResponse {
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · tinyoauth</title>
<style>${new SafeHtml(STYLESHEET)}</style>
${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<main>
<div class="card">
<p class="brand">tinyoauth</p>
${content}
</div>
</main>
</body>
</html>
`;
  return {
    status: options.status ?? 200,
    body: document.markup,
    headers: { ...options.headers, ...pageHeaders(options.formActions, options.scripts) },
    ...(options.cookies && options.cookies.length > 0 ? { cookies: options.cookies } : {}),
  };
}
