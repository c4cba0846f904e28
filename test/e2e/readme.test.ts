/** The README's walkthrough, run exactly as written against `npm start`, so that it stays true. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

it('runs the README walkthrough: code flow, protected call, refresh, revoke', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- walkthrough:start -->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(
    readme,
  )?.[1];
  expect(block, 'README.md has a walkthrough block').toBeTruthy();
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block as string], {
    env: { ...process.env, BASE: stack.baseUrl },
  });
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toBe('{"result":"succeeded"}');
  expect(lines[1]).toMatch(/^http:\/\/127\.0\.0\.1:8080\/callback\?code=[\w-]{43}&state=xyz&iss=/);
  expect(JSON.parse(lines[2] as string).caller).toMatchObject({ scope: 'read' });
  expect(lines[3]).toBe('{}');
  expect(lines[4]).toBe('401');
});
