/**
 * Account mail in the cloud: Amazon SES, from one verified identity the team owns. The functions that
 * send mail (`mail: true` in infra/routes.ts) get the sender and may call `ses:SendEmail` on that
 * identity (and its configuration set) only; no other function may send anything. Without the `mail`
 * prop no function may send: verification and reset mails are logged as unsent (adapters/mail/unsent.ts)
 * and go nowhere, which the README says. (Not a synth warning: cdk-nag runs fail on any warning.)
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { FunctionEnvironment } from './function.ts';

export interface TinyOAuthMail {
  /**
   * The SES identity mail is sent from, as SES names it: a verified domain (`example.com`) or address
   * (`no-reply@example.com`). The functions' role may send from it only.
   */
  identity: string;
  /** The sender, at the identity: `no-reply@example.com` or `Example <no-reply@example.com>`. */
  from: string;
  /** An SES configuration set every message is sent with (event publishing, suppression), optional. */
  configurationSet?: string;
}

/** The variables that make a mailing function send through SES. */
export function mailEnvironment(mail: TinyOAuthMail): FunctionEnvironment {
  return {
    MAIL_FROM: mail.from,
    ...(mail.configurationSet === undefined ? {} : { SES_CONFIGURATION_SET: mail.configurationSet }),
  };
}

/** `ses:SendEmail` on the identity (and configuration set, which SES authorises too) and nothing more. */
export function sendEmailStatement(scope: Construct, mail: TinyOAuthMail): PolicyStatement {
  const stack = Stack.of(scope);
  const arn = (resource: string) =>
    stack.formatArn({ service: 'ses', resource, resourceName: resourceNameOf(resource, mail) });
  const resources = [arn('identity')];
  if (mail.configurationSet !== undefined) resources.push(arn('configuration-set'));
  return new PolicyStatement({ effect: Effect.ALLOW, actions: ['ses:SendEmail'], resources });
}

const resourceNameOf = (resource: string, mail: TinyOAuthMail) =>
  resource === 'identity' ? mail.identity : (mail.configurationSet as string);
