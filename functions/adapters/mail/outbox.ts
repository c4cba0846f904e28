/**
 * The local outbox: each message is written as one JSON file `{to, subject, text, html, links}` in a
 * directory (OUTBOX_DIR, default `.data/outbox`), and its links are printed on the console, so that
 * `npm start` and the tests can follow a verification or reset link without any mail server.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailTransport } from './mailer.ts';
import type { RenderedMail } from './templates.ts';

export const DEFAULT_OUTBOX_DIR = '.data/outbox';

export class OutboxTransport implements MailTransport {
  constructor(
    private readonly directory: string,
    private readonly print: (line: string) => void = (line) => console.log(line),
  ) {}

  async deliver(message: RenderedMail): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    // Sortable by time, unique across processes.
    const file = join(
      this.directory,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`,
    );
    const { to, subject, text, html, links } = message;
    await writeFile(file, `${JSON.stringify({ to, subject, text, html, links }, null, 2)}\n`, {
      mode: 0o600,
    });
    this.print(`Mail to ${to}: ${subject} (${file})`);
    for (const link of links) this.print(`  ${link}`);
  }
}
