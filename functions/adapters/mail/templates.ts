/**
 * Account mail as people read it: a plain-text part and an HTML part saying the same, short, with the
 * link written out in full (so it can be copied, and read by a screen reader as what it is), and every
 * value escaped in the HTML. No images, no tracking, no styles a mail client would strip anyway.
 */
import { html, type SafeHtml } from '#adapters/web/html';
import type { AccountMail } from '#core/users/mail';

/** A message ready to send; `links` lists the URLs it carries (the outbox prints them). */
export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  links: string[];
}

interface Wording {
  subject: string;
  /** Paragraphs, before and after the link. */
  before: string[];
  link?: { url: string; label: string };
  after: string[];
}

const IGNORE =
  'If you did not ask for this, you can ignore this message: nothing changes until the link is followed.';

function wording(mail: AccountMail, issuer: string): Wording {
  switch (mail.kind) {
    case 'verify_email':
      return {
        subject: 'Confirm your email address',
        before: [
          `Hello ${mail.username},`,
          `Please confirm that ${mail.to} is your email address for tinyoauth.`,
        ],
        link: { url: `${issuer}/verify_email?token=${mail.token}`, label: 'Confirm my email address' },
        after: [`The link works once, for ${mail.expiresInMinutes / 60} hours.`, IGNORE],
      };
    case 'reset_password':
      return {
        subject: 'Reset your password',
        before: [`Hello ${mail.username},`, 'Someone asked to reset the password of your tinyoauth account.'],
        link: { url: `${issuer}/reset_password?token=${mail.token}`, label: 'Choose a new password' },
        after: [
          `The link works once, for ${mail.expiresInMinutes} minutes. Setting a new password signs you out everywhere.`,
          IGNORE,
        ],
      };
    case 'email_changed':
      return {
        subject: 'Your email address was changed',
        before: [
          `Hello ${mail.username},`,
          mail.newEmail === ''
            ? 'The email address of your tinyoauth account was removed.'
            : `The email address of your tinyoauth account was changed to ${mail.newEmail}.`,
        ],
        after: ['If you did not do this, reset your password and sign in to put it back.'],
      };
    case 'password_changed':
      return {
        subject: 'Your password was changed',
        before: [
          `Hello ${mail.username},`,
          'The password of your tinyoauth account was changed; other sessions were signed out.',
        ],
        after: ['If you did not do this, reset your password now.'],
      };
  }
}

const paragraphs = (lines: string[]): SafeHtml[] => lines.map((line) => html`<p>${line}</p>\n`);

export function renderMail(mail: AccountMail, issuer: string): RenderedMail {
  const words = wording(mail, issuer);
  const link = words.link;
  const text = [...words.before, ...(link ? [`${link.label}:\n${link.url}`] : []), ...words.after].join(
    '\n\n',
  );
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${words.subject}</title></head>
<body>
${paragraphs(words.before)}${
  link
    ? html`<p><a href="${link.url}">${link.label}</a></p>
<p>Or copy this address into your browser: ${link.url}</p>
`
    : ''
}${paragraphs(words.after)}<p>tinyoauth</p>
</body></html>
`;
  return {
    to: mail.to,
    subject: words.subject,
    text: `${text}\n`,
    html: body.markup,
    links: link ? [link.url] : [],
  };
}
