/**
 * What the Lambda bundles get instead of `@aws-sdk/credential-provider-node` (an esbuild alias in
 * infra/cdk/function.ts): the environment-variable provider alone. Lambda hands every function its
 * role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so the rest of
 * the default chain (SSO, INI files, process, IMDS, web identity, …) is dead weight there: ~130 KB and
 * ~9 ms of every cold start (DESIGN.md). Outside Lambda nothing is aliased and the full chain applies.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type Init = Parameters<typeof fromEnv>[0];

export const defaultProvider = (init?: Init) => fromEnv(init);
