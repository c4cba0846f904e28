/**
 * `npm run admin -- [--stack <name>] <command>`: the operator's everyday tool (commands.ts lists the
 * commands). The result is printed as JSON on stdout; audit lines go to stderr; the exit code is 0 on
 * success, 1 on failure (e.g. no such user), 2 on a usage error.
 */

import { securityEvents } from '#app/services';
import { ConfigError } from '#contract/config-error';
import { OAuthError } from '#core/errors';
import { parseCommand, UsageError } from './commands.ts';
import { type AdminTarget, localTarget, stackTarget } from './targets.ts';

async function main(argv: string[]): Promise<number> {
  const stackAt = argv.indexOf('--stack');
  const stackName = stackAt >= 0 ? argv[stackAt + 1] : undefined;
  if (stackAt >= 0 && !stackName) throw new UsageError('--stack needs the name of a deployed stack.');
  const args = stackAt >= 0 ? argv.filter((_, index) => index !== stackAt && index !== stackAt + 1) : argv;
  const { command, rest } = parseCommand(args);

  const target: AdminTarget = stackName
    ? await stackTarget(stackName, process.env)
    : await localTarget(process.env);
  try {
    const result = await command(target, rest);
    console.log(JSON.stringify(result ?? null, null, 2));
    return 0;
  } finally {
    securityEvents(target.runtime).flush();
    await target.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    const known = error instanceof OAuthError || error instanceof ConfigError;
    console.error(known ? `${(error as Error).message}` : error);
    process.exit(1);
  },
);
