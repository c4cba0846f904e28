/**
 * The lockout against a burst, over HTTP against `npm start`, through both doors a password goes in by:
 * POST /login and the hosted sign-in page. Twenty guesses at once must never check more passwords than
 * the limit (five by default): every other guess is refused before its password is looked at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browser, send } from '../integration/infra/http.ts';
import { deployedBaseUrl, type LocalStack, startLocalStack } from '../support/local-stack.ts';

const PASSWORD = 'correct horse battery';
const LIMIT = 5;

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

const newUser = async () => {
  const username = `burst-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const created = await send(stack.baseUrl, 'POST', '/register', { json: { username, password: PASSWORD } });
  expect(created.status).toBe(201);
  return username;
};

const sorted = (statuses: number[]) => [...statuses].sort((a, b) => a - b);

// A deployed stage may be configured with another limit, and a burst would lock a real account.
describe.skipIf(deployedBaseUrl)('twenty wrong passwords at once', () => {
  it('at POST /login: five are checked (401), fifteen refused unchecked (429), then the account is locked', async () => {
    const username = await newUser();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        send(stack.baseUrl, 'POST', '/login', { json: { username, password: 'wrong password' } }),
      ),
    );
    expect(sorted(replies.map((reply) => reply.status))).toEqual([
      ...Array(LIMIT).fill(401),
      ...Array(20 - LIMIT).fill(429),
    ]);
    for (const reply of replies.filter((r) => r.status === 429)) {
      expect(reply.json()).toMatchObject({ error: 'too_many_attempts' });
    }
    const right = await send(stack.baseUrl, 'POST', '/login', { json: { username, password: PASSWORD } });
    expect(right.status).toBe(429);
  });

  it('at the hosted sign-in page: the same limit, the same code path', async () => {
    const username = await newUser();
    const b = browser(stack.baseUrl);
    const page = await b.request('GET', '/signin');
    expect(page.status).toBe(200);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => b.submit(page, '/signin', { username, password: 'wrong password' })),
    );
    expect(sorted(replies.map((reply) => reply.status))).toEqual([
      ...Array(LIMIT).fill(401),
      ...Array(20 - LIMIT).fill(429),
    ]);
    const right = await b.submit(page, '/signin', { username, password: PASSWORD });
    expect(right.status).toBe(429);
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
  });
});
