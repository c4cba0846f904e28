/**
 * A team's CDK app, made the way a team makes one: our package packed by `npm pack` (whose `prepack`
 * builds dist/), installed from the packed file into a fresh directory, compiled by TypeScript against
 * the package's declarations, and synthesized by node. Offline and without our sources: the app's only
 * other packages are aws-cdk-lib and constructs, linked (`file:`) from this repository's node_modules,
 * so npm needs neither a registry nor its cache, as on a CI machine where `npm ci` just ran.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, projectPath } from '#infra/paths';

export interface TeamApp {
  /** The app's directory, with `node_modules/tinyoauth` as npm installed it. */
  directory: string;
  tarball: string;
  installed: string;
  /** Where `node app.js` wrote the cloud assembly (the CDK's `cdk.out`). */
  outdir: string;
  cleanup(): void;
}

/** The peers the app links instead of installing; the package must need nothing else. */
const LINKED = ['aws-cdk-lib', 'constructs'];

/** Whatever could reach AWS or redirect the CDK stays out of the team's processes. */
function hermeticEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AWS_|CDK_)/.test(name) && name !== 'NODE_OPTIONS'),
  );
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      env: hermeticEnvironment(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout}\n${failed.stderr}`);
  }
}

/**
 * What a team writes: the construct with a few props, and, type-checked but never run, uses the
 * declarations must refuse. Were any of our types lost to `any`, an `@ts-expect-error` would be unused.
 */
const APP_SOURCE = `import { App, Stack } from 'aws-cdk-lib';
import { TinyOAuth, type TinyOAuthFunction, type TinyOAuthProps } from 'tinyoauth';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'TeamStack');
// With the example MCP server, so that every bundle the package ships is deployed.
const props: TinyOAuthProps = { tablePrefix: 'team_', environment: { LOG_LEVEL: 'debug' }, exampleMcpServer: true };
const auth = new TinyOAuth(stack, 'Auth', props);
const login: TinyOAuthFunction | undefined = auth.functions.login;
if (!login) throw new Error('no login function');
app.synth();

export function refusedByTheDeclarations(scope: Stack): void {
  // @ts-expect-error: a misspelt prop
  new TinyOAuth(scope, 'Typo', { tablePrefx: 'x_' });
  // @ts-expect-error: a variable functions/contract/environment.ts does not name
  const unknownVariable: TinyOAuthProps = { environment: { NO_SUCH_VARIABLE: 'x' } };
  // @ts-expect-error: a function infra/routes.ts does not define
  const unknownFunction = auth.functions.noSuchFunction;
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    skipLibCheck: true,
    types: [],
  },
  files: ['app.ts'],
};

function packInto(directory: string): string {
  run('npm', ['pack', '--pack-destination', directory, '--no-update-notifier'], PROJECT_ROOT);
  const tarballs = readdirSync(directory).filter((file) => file.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack wrote ${tarballs.join(', ') || 'nothing'}`);
  return join(directory, tarballs[0] as string);
}

function install(directory: string, tarball: string): void {
  const links = Object.fromEntries(
    LINKED.map((name) => [name, `file:${projectPath(`node_modules/${name}`)}`]),
  );
  writeFileSync(
    join(directory, 'package.json'),
    JSON.stringify({ name: 'team-app', private: true, type: 'module', dependencies: links }, null, 2),
  );
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-update-notifier', tarball], directory);
  // The synth below must not lean on a lock file: the package's own was the original failure.
  rmSync(join(directory, 'package-lock.json'), { force: true });
}

/** Packs, installs, compiles and synthesizes; throws with the failing tool's output. */
export function buildTeamApp(): TeamApp {
  const work = mkdtempSync(join(tmpdir(), 'tinyoauth-team-'));
  const directory = join(work, 'app');
  mkdirSync(directory);
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  try {
    const tarball = packInto(work);
    install(directory, tarball);
    writeFileSync(join(directory, 'app.ts'), APP_SOURCE);
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], directory);
    run(process.execPath, ['app.js'], directory);
    const installed = join(directory, 'node_modules/tinyoauth');
    return { directory, tarball, installed, outdir: join(directory, 'cdk.out'), cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}
