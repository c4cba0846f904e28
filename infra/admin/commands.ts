/**
 * The admin tool's commands: parsed from the command line, run through the composition root's services
 * against a target (targets.ts). Each returns what it found or did, printed as JSON.
 */
import { accountDeletion } from '#app/account-services';
import { administrationCounts, clientAdministration, userAdministration } from '#app/admin-services';
import { securityEvents } from '#app/services';
import type { UserReference } from '#core/users/user-administration';
import type { AdminTarget } from './targets.ts';

export class UsageError extends Error {}

export const USAGE = `Usage: npm run admin -- [--stack <CloudFormation stack name>] <command>

Without --stack: the local stack (npm start's DynamoDB Local and key file). With it: that deployed stack,
found by its outputs, with your AWS credentials (AWS_PROFILE, AWS_REGION, ...).

  user show <user>            a user (never the password hash)
  user disable <user>         no more sign-ins; every session and token of theirs ends now
  user enable <user>          sign-ins allowed again
  user end-sessions <user>    signs them out everywhere: every session and token ends
  user delete <user>          the user, their sessions, clients, consents, passkeys
  client list                 every client
  client show <client id>
  client suspend <client id>  invalid_client from now on; every token issued to it ends
  client resume <client id>
  client delete <client id>   the client and every grant (and token) issued to it
  keys rotate                 a new signing key (cloud: starts the Secrets Manager rotation)
  counts                      users, clients, live sessions and grants

<user> is --sub <sub> (as log lines and tokens name users) or --username <username>.`;

function userReference(args: string[]): UserReference {
  const [flag, value, ...rest] = args;
  if (value && rest.length === 0 && flag === '--sub') return { sub: value };
  if (value && rest.length === 0 && flag === '--username') return { username: value };
  throw new UsageError(`Name the user with --sub <sub> or --username <username>.\n\n${USAGE}`);
}

function single(args: string[], what: string): string {
  const [value, ...rest] = args;
  if (!value || rest.length > 0) throw new UsageError(`Name exactly one ${what}.\n\n${USAGE}`);
  return value;
}

type Command = (target: AdminTarget, args: string[]) => Promise<unknown>;

const COMMANDS: Record<string, Command> = {
  'user show': ({ runtime }, args) => userAdministration(runtime).find(userReference(args)),
  'user disable': ({ runtime, operator }, args) =>
    userAdministration(runtime).disable(operator, userReference(args)),
  'user enable': ({ runtime, operator }, args) =>
    userAdministration(runtime).enable(operator, userReference(args)),
  'user end-sessions': ({ runtime, operator }, args) =>
    userAdministration(runtime).endSessions(operator, userReference(args)),
  'user delete': ({ runtime, operator }, args) =>
    accountDeletion(runtime).delete(operator, userReference(args)),
  'client list': ({ runtime }, args) => {
    if (args.length > 0) throw new UsageError(USAGE);
    return clientAdministration(runtime).list();
  },
  'client show': ({ runtime }, args) => clientAdministration(runtime).find(single(args, 'client id')),
  'client suspend': ({ runtime, operator }, args) =>
    clientAdministration(runtime).suspend(operator, single(args, 'client id')),
  'client resume': ({ runtime, operator }, args) =>
    clientAdministration(runtime).resume(operator, single(args, 'client id')),
  'client delete': ({ runtime, operator }, args) =>
    clientAdministration(runtime).delete(operator, single(args, 'client id')),
  'keys rotate': (target, args) => {
    if (args.length > 0) throw new UsageError(USAGE);
    return rotateKeysAudited(target);
  },
  counts: ({ runtime }, args) => {
    if (args.length > 0) throw new UsageError(USAGE);
    return administrationCounts(runtime)();
  },
};

/** Key rotation is infrastructure (a file, or Secrets Manager), so its audit line is written here. */
async function rotateKeysAudited({ runtime, operator, rotateKeys }: AdminTarget): Promise<unknown> {
  const events = securityEvents(runtime);
  const audit = (outcome: 'succeeded' | 'failed', detail: Record<string, unknown>) =>
    events.record({
      kind: 'admin',
      action: 'keys.rotate',
      operator,
      target: { keys: 'signing' },
      outcome,
      detail,
    });
  try {
    const result = await rotateKeys();
    audit('succeeded', result);
    return result;
  } catch (error) {
    audit('failed', { error: (error as Error).message });
    throw error;
  }
}

/** Which command `args` names, and the arguments left for it. */
export function parseCommand(args: string[]): { command: Command; rest: string[] } {
  for (const words of [2, 1]) {
    const command = COMMANDS[args.slice(0, words).join(' ')];
    if (command) return { command, rest: args.slice(words) };
  }
  throw new UsageError(args.length === 0 ? USAGE : `Unknown command "${args.join(' ')}".\n\n${USAGE}`);
}
