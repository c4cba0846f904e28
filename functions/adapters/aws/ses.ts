/**
 * Account mail through Amazon SES (API v2, `SendEmail` with a simple message), with the client settings
 * every AWS client of the functions has (client-settings.ts) and the same translation of an unavailable
 * service into a 503. The sender is a verified SES identity given to the construct; the function's role
 * may send from that identity only.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { MailTransport } from '#adapters/mail/mailer';
import type { RenderedMail } from '#adapters/mail/templates';
import { awsClientConfig } from './client-settings.ts';
import { translateUnavailable } from './unavailable.ts';

export interface SesSettings {
  region: string;
  /** `tinyoauth <no-reply@example.com>` or a bare address of a verified identity. */
  from: string;
  configurationSet?: string | undefined;
}

export class SesTransport implements MailTransport {
  private readonly client: SESv2Client;

  constructor(private readonly settings: SesSettings) {
    this.client = new SESv2Client(awsClientConfig({ region: settings.region }));
    translateUnavailable(this.client.middlewareStack, 'SES');
  }

  async deliver(message: RenderedMail): Promise<void> {
    const charset = 'UTF-8';
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.settings.from,
        Destination: { ToAddresses: [message.to] },
        ...(this.settings.configurationSet ? { ConfigurationSetName: this.settings.configurationSet } : {}),
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: charset },
            Body: {
              Text: { Data: message.text, Charset: charset },
              Html: { Data: message.html, Charset: charset },
            },
          },
        },
      }),
    );
  }
}
