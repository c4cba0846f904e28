/**
 * The mailer port's adapter: renders account mail (templates.ts) and hands it to a transport, the local
 * outbox (outbox.ts) or Amazon SES (adapters/aws/ses.ts), whichever the composition root chose.
 */
import type { AccountMail, Mailer } from '#core/users/mail';
import type { RenderedMail } from './templates.ts';
import { renderMail } from './templates.ts';

export interface MailTransport {
  deliver(message: RenderedMail): Promise<void>;
}

export class TemplateMailer implements Mailer {
  constructor(private readonly options: { transport: MailTransport; issuer: string }) {}

  async send(mail: AccountMail): Promise<void> {
    await this.options.transport.deliver(renderMail(mail, this.options.issuer));
  }
}
