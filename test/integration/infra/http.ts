/**
 * HTTP through the local gateway as the outside world sends it: API callers with JSON, forms, bearer
 * and Basic credentials; a browser with its cookies, HTML accept header and the hidden fields of pages.
 */
import { CookieJar, hiddenFields } from '../../fakes/browser.ts';
import { basic } from '../../fakes/events.ts';

export interface Reply {
  status: number;
  /** Absent unless the response redirects. */
  location: URL | undefined;
  text: string;
  setCookie: string[];
  headers: Headers;
  json(): Record<string, unknown>;
}

export interface Send {
  query?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basicAuth = (clientId: string, secret: string) => ({ authorization: basic(clientId, secret) });
/** One request, redirects not followed, so that a test sees each hop. */
export async function send(baseUrl: string, method: string, path: string, input: Send = {}): Promise<Reply> {
  const url = new URL(path, baseUrl);
  for (const [name, value] of Object.entries(input.query ?? {})) url.searchParams.append(name, value);
  const headers: Record<string, string> = { ...input.headers };
  let body: string | undefined;
  if (input.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(input.form).toString();
  } else if (input.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(input.json);
  }
  const response = await fetch(url, { method, headers, redirect: 'manual', ...(body ? { body } : {}) });
  const text = await response.text();
  const location = response.headers.get('location');
  return {
    status: response.status,
    location: location ? new URL(location, baseUrl) : undefined,
    text,
    setCookie: response.headers.getSetCookie(),
    headers: response.headers,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** A browser of one site: it keeps cookies, asks for HTML, posts forms and follows links back. */
export function browser(baseUrl: string) {
  const jar = new CookieJar();
  async function request(method: string, path: string, input: Send = {}): Promise<Reply> {
    const cookie = jar.header(new URL(path, baseUrl).pathname);
    const headers = { accept: HTML_ACCEPT, ...(cookie ? { cookie } : {}), ...input.headers };
    const reply = await send(baseUrl, method, path, { ...input, headers });
    jar.store(reply.setCookie);
    return reply;
  }
  return {
    jar,
    request,
    /** GET of a Location that points back into tinyoauth. */
    follow: (reply: Reply) => {
      if (reply.location?.origin !== new URL(baseUrl).origin)
        throw new Error(`Expected a redirect into ${baseUrl}, got ${reply.status} ${reply.location}`);
      return request('GET', `${reply.location.pathname}${reply.location.search}`);
    },
    /** Posts the page's form: its hidden fields plus `fields`. */
    submit: (page: Reply, path: string, fields: Record<string, string> = {}) =>
      request('POST', path, { form: { ...Object.fromEntries(hiddenFields(page.text)), ...fields } }),
  };
}
