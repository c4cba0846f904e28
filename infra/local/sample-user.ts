/**
 * The user the sample events sign in as (events/login.json, events/signIn.json), so that invoking them
 * answers 200 on the first try. `npm run invoke` registers it on local DynamoDB only: a known password on
 * a real table would be an open door. events/register.json and events/signUp.json create users of other
 * names, so they succeed whatever ran before them.
 */
import { accounts, type Runtime } from '#app/services';
import { UsernameTaken } from '#core/errors';
import type { FunctionName } from '#infra/routes';

export const SAMPLE_USER = { username: 'alice', password: 'correct horse battery staple' } as const;

/** The functions whose sample event signs in as SAMPLE_USER. */
export const SIGNS_IN_AS_SAMPLE_USER: readonly FunctionName[] = ['login', 'signIn'];

/** DynamoDB Local, or anything else on this machine; never a DynamoDB of an AWS account. */
export function isLocalEndpoint(endpoint: string): boolean {
  const { hostname } = new URL(endpoint);
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Registers SAMPLE_USER unless it exists; true when it was created now. */
export async function ensureSampleUser(runtime: Runtime): Promise<boolean> {
  try {
    await accounts(runtime).register(SAMPLE_USER.username, SAMPLE_USER.password);
    return true;
  } catch (error) {
    if (error instanceof UsernameTaken) return false;
    throw error;
  }
}
