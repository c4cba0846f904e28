/**
 * The environment of the key Lambdas, set by the CDK construct (infra/cdk/signing-keys.ts) and
 * validated at cold start so that a wrong setting fails the deployment or the rotation loudly.
 */
import { ConfigError } from '#contract/config-error';
import type { KeySecrets } from '#core/keys/key-secrets';

export const SIGNING_KEYS_SECRET_VARIABLE = 'SIGNING_KEYS_SECRET_ID';
export const PUBLIC_KEYS_SECRET_VARIABLE = 'PUBLIC_KEYS_SECRET_ID';
export const RETAIN_VARIABLE = 'KEY_RETAIN_SECONDS';
export const PUBLISH_DELAY_VARIABLE = 'KEY_PUBLISH_DELAY_SECONDS';
export const JWKS_URI_VARIABLE = 'JWKS_URI';

export interface KeySettings {
  region: string;
  secrets: KeySecrets;
  retainSeconds: number;
  publishDelaySeconds: number;
  jwksUri: URL | undefined;
}

type Env = Record<string, string | undefined>;

export function loadKeySettings(env: Env): KeySettings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} must be set`);
    return value ?? '';
  };
  const seconds = (name: string, fallback: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) > max)
      problems.push(`${name} must be an integer from 0 to ${max}, got "${raw}"`);
    return Number(raw);
  };

  const secrets = {
    signing: required(SIGNING_KEYS_SECRET_VARIABLE),
    public: required(PUBLIC_KEYS_SECRET_VARIABLE),
  };
  // Defaults mirror config.ts: sessions 1 h, access tokens 15 min, plus the signers' 5 min key cache.
  const retainSeconds = seconds(RETAIN_VARIABLE, 3600 + 600, 400 * 86400);
  // A rotation function may run for at most 15 minutes; keep room for the steps themselves.
  const publishDelaySeconds = seconds(PUBLISH_DELAY_VARIABLE, 360, 780);
  let jwksUri: URL | undefined;
  if (env[JWKS_URI_VARIABLE]) {
    try {
      jwksUri = new URL(env[JWKS_URI_VARIABLE] as string);
      if (jwksUri.protocol !== 'https:' && jwksUri.protocol !== 'http:') throw new Error('scheme');
    } catch {
      problems.push(`${JWKS_URI_VARIABLE} must be an absolute http(s) URL, got "${env[JWKS_URI_VARIABLE]}"`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid key settings: ${problems.join('; ')}`);
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    secrets,
    retainSeconds,
    publishDelaySeconds,
    jwksUri,
  };
}
