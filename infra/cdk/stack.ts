/** The deployable stack: one `TinyOAuth` and the URLs a team needs after `cdk deploy`. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { TinyOAuth, type TinyOAuthProps } from './tinyoauth.ts';

/** A custom domain by identifiers, as they can be given on the command line. */
export interface TinyOAuthDomainSettings {
  domainName: string;
  /** An ACM certificate in the stack's region covering `domainName`. */
  certificateArn: string;
  /** With `hostedZoneName`: the Route 53 zone to create the alias record in. */
  hostedZoneId?: string;
  hostedZoneName?: string;
}

export interface TinyOAuthStackProps extends StackProps {
  tinyoauth?: Omit<TinyOAuthProps, 'customDomain'>;
  domain?: TinyOAuthDomainSettings;
}

export class TinyOAuthStack extends Stack {
  readonly tinyoauth: TinyOAuth;

  constructor(scope: Construct, id: string, props: TinyOAuthStackProps = {}) {
    super(scope, id, props);
    const { domain } = props;
    this.tinyoauth = new TinyOAuth(this, 'TinyOAuth', {
      // A deployed stack pages someone: its own topic unless told otherwise (AlarmTopicArn: subscribe to it).
      alarmTopic: 'create',
      ...props.tinyoauth,
      ...(domain
        ? {
            customDomain: {
              domainName: domain.domainName,
              certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
              ...(domain.hostedZoneId && domain.hostedZoneName
                ? {
                    hostedZone: HostedZone.fromHostedZoneAttributes(this, 'Zone', {
                      hostedZoneId: domain.hostedZoneId,
                      zoneName: domain.hostedZoneName,
                    }),
                  }
                : {}),
            },
          }
        : {}),
    });
    const { apiUrl, issuer, jwksUrl, metadataUrl } = this.tinyoauth;
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the API' });
    new CfnOutput(this, 'Issuer', { value: issuer, description: 'The OAuth issuer (iss of every token)' });
    new CfnOutput(this, 'JwksUrl', { value: jwksUrl, description: 'The public signing keys (JWKS)' });
    new CfnOutput(this, 'SigningKeySecretArn', {
      value: this.tinyoauth.keys.signingSecret.secretArn,
      description:
        'The signing key secret (for aws secretsmanager rotate-secret); readable by signing functions only',
    });
    new CfnOutput(this, 'MetadataUrl', {
      value: metadataUrl,
      description: 'Authorization server metadata (RFC 8414)',
    });
    this.operationsOutputs();
  }

  /** What an operator (and `npm run admin -- --stack <name>`) needs: where the data and dashboards are. */
  private operationsOutputs(): void {
    const { monitoring } = this.tinyoauth;
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${monitoring.dashboard.dashboardName}`,
      description: 'The CloudWatch dashboard of this deployment',
    });
    if (monitoring.alarmTopic) {
      new CfnOutput(this, 'AlarmTopicArn', {
        value: monitoring.alarmTopic.topicArn,
        description: 'The SNS topic every alarm notifies: subscribe the on-call to it',
      });
    }
    new CfnOutput(this, 'TablePrefix', {
      value: this.tinyoauth.tablePrefix,
      description: 'Physical table names are <TablePrefix><name> (functions/contract/tables.ts)',
    });
  }
}
