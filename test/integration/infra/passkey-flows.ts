/**
 * The passkey paths over HTTP, driven like account-flows.ts with a software authenticator in place of
 * the browser's: the script, a passkey registered on the account page, a passkey-only sign-in (and the
 * same response refused again), a passkey as the second step after the password, the passkey removed,
 * the JSON API's passkey endpoints, and the account deleted with its passkeys.
 */
import { expect } from 'vitest';
import { PASSKEY_SCRIPT_PATH } from '#contract/pages';
import { SoftwareAuthenticator } from '../../fakes/authenticator.ts';
import { hiddenFields, unescapeHtml } from '../../fakes/browser.ts';
import { uniqueName } from '../../fakes/runtime.ts';
import { totpCode } from '../../fakes/totp.ts';
import { bearer, browser, type Reply, send } from './http.ts';

const PASSWORD = 'correct horse battery';

const optionsOf = (page: Reply): unknown =>
  JSON.parse(unescapeHtml(/data-options="([^"]*)"/.exec(page.text)?.[1] ?? 'null'));
const fieldsOf = (page: Reply) => Object.fromEntries(hiddenFields(page.text));

function expectStatus(reply: Reply, status: number): void {
  expect(reply.status, reply.text.slice(0, 300)).toBe(status);
}

/** With TOTP on, the password leads to the code page, which offers the passkey instead. */
async function secondStep(flow: {
  baseUrl: string;
  username: string;
  authenticator: SoftwareAuthenticator;
  now: () => number;
}): Promise<void> {
  const { baseUrl, username, authenticator } = flow;
  const login = await send(baseUrl, 'POST', '/login', { json: { username, password: PASSWORD } });
  const session = bearer(login.json().token as string);
  const enrolled = await send(baseUrl, 'POST', '/account/totp', { headers: session });
  const code = totpCode(enrolled.json().secret as string, flow.now());
  expectStatus(
    await send(baseUrl, 'POST', '/account/totp/confirm', { headers: session, json: { code } }),
    200,
  );

  const b = browser(baseUrl);
  const codePage = await b.submit(await b.request('GET', '/signin'), '/signin', {
    username,
    password: PASSWORD,
  });
  expectStatus(codePage, 200);
  expect(codePage.text).toContain('Use a passkey instead');
  const ceremony = await b.request('POST', '/signin', {
    form: {
      csrf: fieldsOf(codePage).csrf ?? '',
      mfa_token: fieldsOf(codePage).mfa_token ?? '',
      passkey: 'start',
    },
  });
  expectStatus(ceremony, 200);
  const credential = JSON.stringify(authenticator.authenticate(optionsOf(ceremony)));
  const fields = { ...fieldsOf(ceremony), credential };
  expectStatus(await b.request('POST', '/signin', { form: fields }), 303);
  expectStatus(await b.request('POST', '/signin', { form: fields }), 401);
}

/** The same through the JSON API with the session as a bearer token: options, register, list, remove. */
async function jsonApi(baseUrl: string, issuer: string, session: string): Promise<void> {
  const call = (method: string, path: string, json?: unknown) =>
    send(baseUrl, method, path, { headers: bearer(session), ...(json === undefined ? {} : { json }) });
  const started = await call('POST', '/account/passkeys/options');
  expectStatus(started, 200);
  const authenticator = new SoftwareAuthenticator(new URL(issuer).origin);
  const credential = authenticator.register(started.json().options);
  const created = await call('POST', '/account/passkeys', { name: 'API key', credential });
  expectStatus(created, 201);
  expect(created.json().passkey).toMatchObject({
    credential_id: authenticator.credentialId,
    name: 'API key',
    kind: 'hwk',
  });
  const replayed = await call('POST', '/account/passkeys', { name: 'API key again', credential });
  expectStatus(replayed, 400);
  expect(replayed.json().error).toBe('invalid_request');
  const listed = await call('GET', '/account/passkeys');
  expect((listed.json().passkeys as { name: string }[]).map(({ name }) => name)).toContain('API key');
  expectStatus(await call('DELETE', `/account/passkeys/${authenticator.credentialId}`), 200);
  expectStatus(await call('DELETE', `/account/passkeys/${authenticator.credentialId}`), 400);
}

/** Deleting the account, re-checked by a passkey, deletes its passkeys: that one signs in no more. */
async function deletion(flow: {
  issuer: string;
  owner: ReturnType<typeof browser>;
  visitor: ReturnType<typeof browser>;
  csrf: string;
}): Promise<void> {
  const { issuer, owner, visitor, csrf } = flow;
  const again = await owner.request('POST', '/account', {
    form: { csrf, action: 'passkey_start', passkey_name: 'Second key' },
  });
  const second = new SoftwareAuthenticator(new URL(issuer).origin);
  expectStatus(
    await owner.submit(again, '/account', { credential: JSON.stringify(second.register(optionsOf(again))) }),
    303,
  );
  const confirm = await owner.request('POST', '/account', { form: { csrf, action: 'delete_passkey_start' } });
  expectStatus(confirm, 200);
  const response = JSON.stringify(second.authenticate(optionsOf(confirm)));
  const deleted = await owner.submit(confirm, '/account', { credential: response });
  expectStatus(deleted, 200);
  expect(deleted.text).toContain('Your account is deleted');
  const late = await visitor.submit(await visitor.request('GET', '/signin'), '/signin', { passkey: 'start' });
  const lateFields = { ...fieldsOf(late), credential: JSON.stringify(second.authenticate(optionsOf(late))) };
  expectStatus(await visitor.request('POST', '/signin', { form: lateFields }), 401);
}

/** Drives every passkey flow through the gateway at `baseUrl`, whose issuer is `issuer`. */
export async function drivePasskeyFlows(baseUrl: string, issuer: string, now: () => number): Promise<void> {
  const script = await send(baseUrl, 'GET', PASSKEY_SCRIPT_PATH);
  expectStatus(script, 200);
  expect(script.text).toContain('SimpleWebAuthnBrowser');

  const username = uniqueName();
  expectStatus(await send(baseUrl, 'POST', '/register', { json: { username, password: PASSWORD } }), 201);
  const owner = browser(baseUrl);
  const signIn = await owner.request('GET', '/signin');
  expectStatus(await owner.submit(signIn, '/signin', { username, password: PASSWORD }), 303);
  const account = await owner.request('GET', '/account');
  const csrf = fieldsOf(account).csrf ?? '';
  const started = await owner.request('POST', '/account', {
    form: { csrf, action: 'passkey_start', passkey_name: 'Integration key' },
  });
  expectStatus(started, 200);
  const authenticator = new SoftwareAuthenticator(new URL(issuer).origin, { counting: true });
  const credential = JSON.stringify(authenticator.register(optionsOf(started)));
  expectStatus(await owner.submit(started, '/account', { credential }), 303);

  const visitor = browser(baseUrl);
  const page = await visitor.request('GET', '/signin');
  const ceremony = await visitor.submit(page, '/signin', { passkey: 'start' });
  expectStatus(ceremony, 200);
  const fields = {
    ...fieldsOf(ceremony),
    credential: JSON.stringify(authenticator.authenticate(optionsOf(ceremony))),
  };
  expectStatus(await visitor.request('POST', '/signin', { form: fields }), 303);
  expectStatus(await visitor.request('POST', '/signin', { form: fields }), 401);

  await secondStep({ baseUrl, username, authenticator, now });

  const listed = await owner.request('GET', '/account');
  expect(listed.text).toContain('Integration key');
  const removed = await owner.request('POST', '/account', {
    form: { csrf, action: 'passkey_remove', credential_id: authenticator.credentialId },
  });
  expectStatus(removed, 303);
  expect((await owner.request('GET', '/account')).text).not.toContain('Integration key');

  await jsonApi(baseUrl, issuer, owner.jar.value('tinyoauth_session') ?? '');

  await deletion({ issuer, owner, visitor, csrf });
}
