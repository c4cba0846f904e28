/** Reading the local outbox (adapters/mail/outbox.ts) as a user reads their mailbox. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  links: string[];
}

/** Every message written to `directory` for `to`, oldest first. */
export async function mailsTo(directory: string, to: string): Promise<OutboxMail[]> {
  const files = (await readdir(directory).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  const mails = await Promise.all(
    files.sort().map(async (file) => JSON.parse(await readFile(join(directory, file), 'utf8')) as OutboxMail),
  );
  return mails.filter((mail) => mail.to === to);
}

/** The newest link to `path` (e.g. `/verify_email`) mailed to `to`; throws when there is none. */
export async function lastLink(directory: string, to: string, path: string): Promise<URL> {
  const links = (await mailsTo(directory, to))
    .flatMap((mail) => mail.links)
    .map((link) => new URL(link))
    .filter((link) => link.pathname.endsWith(path));
  const last = links.at(-1);
  if (!last) throw new Error(`No mail to ${to} with a link to ${path}`);
  return last;
}

/** The token of the newest link to `path` mailed to `to`. */
export const lastToken = async (directory: string, to: string, path: string): Promise<string> =>
  (await lastLink(directory, to, path)).searchParams.get('token') ?? '';
