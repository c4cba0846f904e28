/** The sample app's one page: a sign-in button, or what the protected service answered. */
import { createHash } from 'node:crypto';
import { html, SafeHtml } from '#adapters/web/html';
import type { Visit } from './sample-visits.ts';

export interface Page {
  body: string;
  headers: Record<string, string>;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#fdf6e3;color:#1f2328}
main{max-width:36rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.5rem;margin:0 0 .5rem}
.app{font-weight:700;color:#8a4b00;margin:0 0 1rem}
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;border-radius:.5rem;border:1px solid #8a4b00;background:#8a4b00;color:#fff;cursor:pointer}
button.secondary{background:transparent;color:#8a4b00}
pre{background:#fff;border:1px solid #e1d5b5;border-radius:.5rem;padding:1rem;overflow:auto;font-size:.875rem}
.error{background:#ffebe9;color:#82071e;padding:.75rem 1rem;border-radius:.5rem;font-weight:600}
form{display:inline-block;margin:.5rem .5rem 0 0}
code{overflow-wrap:anywhere}
`;
const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

function layout(content: SafeHtml, formActions: string[]): Page {
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sample app · tinyoauth demo</title><style>${new SafeHtml(STYLE)}</style></head>
<body><main><p class="app">Sample app (a third-party client of tinyoauth)</p>
${content}
</main></body></html>`;
  return {
    body: body.markup,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src ${STYLE_SOURCE}; form-action 'self' ${formActions.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  };
}

/** The home page for this visit; `issuer` is tinyoauth's, where sign-in and sign-out forms may go. */
export function homePage(visit: Visit, issuer: string): Page {
  const signOut = html`<form method="post" action="/logout"><button type="submit" class="secondary">Sign out of the sample app</button></form>
<form method="post" action="/logout-everywhere"><button type="submit" class="secondary">Sign out everywhere</button></form>
<p><a href="${issuer}/signout">Sign out of tinyoauth</a></p>`;
  let content: SafeHtml;
  if (visit.result) {
    const answer = visit.result.answer as { message?: string; caller?: { sub?: string } };
    const { userInfo, idToken } = visit.result;
    const who = (userInfo.name as string | undefined) ?? userInfo.preferred_username ?? idToken.sub;
    content = html`<h1>Signed in with tinyoauth</h1>
<p>Hello, <strong id="user-name">${who}</strong>${userInfo.email ? html` (<span id="user-email">${userInfo.email}</span>)` : ''}. The ID token says you signed in at ${new Date((idToken.auth_time ?? 0) * 1000).toISOString()}.</p>
<p id="protected-message">${answer.message ?? ''}</p>
<p>The app called <code>${issuer}/protected/resource</code> with its access token (scope <code>${visit.result.scope ?? ''}</code>, expires in ${visit.result.expiresIn ?? '?'} s). The protected service answered:</p>
<pre id="protected-answer">${JSON.stringify(visit.result.answer, null, 2)}</pre>
${signOut}`;
  } else {
    content = html`<h1>Welcome</h1>
${visit.error ? html`<p class="error" role="alert" id="app-error">${visit.error}</p>` : ''}
<p>This app has no accounts of its own. Sign in with tinyoauth to let it read your data.</p>
<form method="post" action="/login"><button type="submit">Sign in with tinyoauth</button></form>`;
  }
  return layout(content, [new URL(issuer).origin]);
}
