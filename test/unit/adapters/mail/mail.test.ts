import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutboxTransport } from '#adapters/mail/outbox';
import { renderMail } from '#adapters/mail/templates';

const ISSUER = 'https://auth.example.com';
const TOKEN = 'A'.repeat(43);

describe('account mail', () => {
  it('has a text and an HTML part saying the same, with every value escaped in the HTML', () => {
    const mail = renderMail(
      {
        kind: 'verify_email',
        to: 'a@example.com',
        username: '<b>eve</b>',
        token: TOKEN,
        expiresInMinutes: 1440,
      },
      ISSUER,
    );
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.links).toEqual([`${ISSUER}/verify_email?token=${TOKEN}`]);
    expect(mail.text).toContain(`Hello <b>eve</b>,`);
    expect(mail.text).toContain(mail.links[0]);
    expect(mail.html).toContain('Hello &lt;b&gt;eve&lt;/b&gt;,');
    expect(mail.html).not.toContain('<b>eve');
    expect(mail.html).toContain(`<a href="${ISSUER}/verify_email?token=${TOKEN}">`);
  });

  it('goes to the outbox as one JSON file per message, its links printed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tinyoauth-outbox-'));
    try {
      const printed: string[] = [];
      const outbox = new OutboxTransport(directory, (line) => printed.push(line));
      const mail = renderMail(
        {
          kind: 'reset_password',
          to: 'a@example.com',
          username: 'alice',
          token: TOKEN,
          expiresInMinutes: 30,
        },
        ISSUER,
      );
      await outbox.deliver(mail);
      const files = await readdir(directory);
      expect(files).toHaveLength(1);
      const stored = JSON.parse(await readFile(join(directory, files[0] ?? ''), 'utf8'));
      expect(Object.keys(stored)).toEqual(['to', 'subject', 'text', 'html', 'links']);
      expect(stored).toMatchObject({
        to: 'a@example.com',
        subject: 'Reset your password',
        links: mail.links,
      });
      expect(printed).toContain(`  ${ISSUER}/reset_password?token=${TOKEN}`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
