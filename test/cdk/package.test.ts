/**
 * The `TinyOAuth` construct as a team consumes it: packed, installed from the packed file into a fresh CDK
 * app (offline), compiled against its declarations and synthesized there (test/cdk/team-app.ts).
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, bundleDirectory, FUNCTION_RUNTIME, TinyOAuthFunction } from '#infra/cdk/function';
import { handlerEntries } from '#infra/package/bundling';
import { type Json, withoutAwsCredentials } from './synth.ts';
import { buildTeamApp, type TeamApp } from './team-app.ts';

let team: TeamApp;

beforeAll(() => {
  const started = performance.now();
  team = buildTeamApp();
  console.info(
    `npm pack, install, tsc and synth took ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}, 300_000);
afterAll(() => team?.cleanup());

const manifest = () => JSON.parse(readFileSync(join(team.installed, 'package.json'), 'utf8'));
const filesOf = (directory: string): string[] =>
  readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the package', () => {
  it('is licensed Apache-2.0 with its licence text, public, and versioned', () => {
    const installed = manifest();
    expect(installed.license).toBe('Apache-2.0');
    expect(installed.private).toBeUndefined();
    expect(installed.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(readFileSync(join(team.installed, 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  it('needs nothing at run time but its peers: functions and construct are bundled', () => {
    const installed = manifest();
    // A function's library belongs in devDependencies: esbuild bundles it, the team installs nothing.
    expect(installed.dependencies ?? {}).toEqual({});
    expect(Object.keys(installed.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    expect(readdirSync(join(team.directory, 'node_modules')).sort()).toEqual([
      '.package-lock.json',
      'aws-cdk-lib',
      'constructs',
      'tinyoauth',
    ]);
  });

  it('ships compiled JavaScript, declarations, the function bundles and notices, and no sources', () => {
    const files = filesOf(team.installed);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/index.js',
        'dist/THIRD-PARTY-NOTICES.md',
        'dist/types/infra/package/index.d.ts',
      ]),
    );
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(file))).toEqual([]);
    for (const entry of handlerEntries())
      expect(files, entry).toContain(`dist/lambda/${bundleDirectory(entry)}/${BUNDLE_FILE}`);
    expect(readFileSync(join(team.installed, 'dist/THIRD-PARTY-NOTICES.md'), 'utf8')).toContain('## jose ');
  });

  it('loads through require() as well, for CommonJS CDK apps', () => {
    const loaded = execFileSync(
      process.execPath,
      ['-e', "console.log(typeof require('tinyoauth').TinyOAuth)"],
      { cwd: team.directory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(loaded.trim()).toBe('function');
  });
});

describe('a team app with `new TinyOAuth(stack, ...)`', () => {
  const template = (): Json => JSON.parse(readFileSync(join(team.outdir, 'TeamStack.template.json'), 'utf8'));
  const lambdas = (): [string, Json][] =>
    Object.entries(template().Resources as Record<string, Json>).filter(
      ([, resource]) => resource.Type === 'AWS::Lambda::Function',
    );

  it('synthesizes offline, without our sources, our lock file or esbuild, every function included', () => {
    expect(lambdas()).toHaveLength(handlerEntries().length);
  });

  it('deploys exactly the bundles the package ships, as ESM for the current runtime', () => {
    const shipped = new Set(
      handlerEntries().map((entry) =>
        sha256(join(team.installed, 'dist/lambda', bundleDirectory(entry), BUNDLE_FILE)),
      ),
    );
    const deployed = new Set<string>();
    for (const [logicalId, lambda] of lambdas()) {
      expect(lambda.Properties, logicalId).toMatchObject({
        Handler: 'index.handler',
        Runtime: FUNCTION_RUNTIME.name,
      });
      const asset = join(team.outdir, `asset.${String(lambda.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      const code = readFileSync(join(asset, BUNDLE_FILE), 'utf8');
      expect(code, logicalId).not.toContain('Dynamic require of');
      deployed.add(sha256(join(asset, BUNDLE_FILE)));
    }
    expect(deployed).toEqual(shipped);
  });

  it('holds, byte for byte, what NodejsFunction bundles from our sources for `cdk deploy`', () => {
    const entry = 'functions/handlers/discovery/jwks.ts';
    const fromSource = withoutAwsCredentials(() => {
      const outdir = mkdtempSync(join(tmpdir(), 'tinyoauth-source-'));
      try {
        const stack = new Stack(new App({ outdir }), 'Source');
        const fn = new TinyOAuthFunction(stack, 'jwks', {
          entry,
          description: 'the same entry, bundled from source',
          environment: {},
          tracing: false,
          logRetention: RetentionDays.ONE_DAY,
          withoutDeadLetterQueue: 'not deployed',
        });
        const assembly = (stack.node.root as App).synth();
        const code =
          assembly.getStackByName('Source').template.Resources[
            stack.getLogicalId(fn.node.defaultChild as CfnElement)
          ].Properties.Code;
        return sha256(join(outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`, BUNDLE_FILE));
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
    expect(sha256(join(team.installed, 'dist/lambda', bundleDirectory(entry), BUNDLE_FILE))).toBe(fromSource);
  });
});
