/**
 * The transport of a deployment without mail (no `mail` prop on the construct): nothing is sent, and
 * each message is logged as unsent, by its subject only (its links carry single-use tokens), so that
 * an operator sees why nobody receives verification or reset mail.
 */
import type { Logger } from '#core/logging';
import type { MailTransport } from './mailer.ts';
import type { RenderedMail } from './templates.ts';

export class UnsentMail implements MailTransport {
  constructor(private readonly logger: Logger) {}

  async deliver(message: RenderedMail): Promise<void> {
    this.logger.warn('account mail not sent: no sender configured (MAIL_FROM)', { subject: message.subject });
  }
}
