/**
 * Runs in a fresh `node` process: imports one bundle the way the Lambda runtime does (`await import`) and
 * reports how long the module initialisation took. Plain JavaScript, so nothing but Node itself is loaded
 * before the measurement.
 *
 *   node bench/init-harness.mjs <bundle.mjs>          timing run: nothing patched
 *   node bench/init-harness.mjs <bundle.mjs> --audit  I/O audit: network, DNS and file calls made while the
 *                                                     module initialises are recorded (timing is discarded,
 *                                                     the patches load modules of their own)
 *   node bench/init-harness.mjs <bundle.mjs> --invoke <event as JSON>
 *                                                     cold path: also times the first invocation, the
 *                                                     part of a cold start spent on the first request
 *
 * The result is the last stdout line, prefixed with RESULT_MARKER, as JSON.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

const RESULT_MARKER = '@@init-result ';
const [bundle, flag, eventJson] = process.argv.slice(2);
if (!bundle) throw new Error('usage: node bench/init-harness.mjs <bundle.mjs> [--audit | --invoke <event>]');
const audit = flag === '--audit';
const event = flag === '--invoke' ? JSON.parse(eventJson ?? 'null') : undefined;

/** Network, DNS and file operations the module started while it initialised. */
const operations = [];
let importing = false;

function record(kind, detail) {
  if (importing) operations.push(`${kind} ${String(detail).slice(0, 120)}`);
}

function wrap(target, name, kind, describe) {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function patched(...args) {
    record(kind, describe(args));
    return original.apply(this, args);
  };
}

if (audit) {
  const require = createRequire(import.meta.url);
  const net = require('node:net');
  const dns = require('node:dns');
  const fs = require('node:fs');
  const http = require('node:http');
  const https = require('node:https');
  const first = (args) => (typeof args[0] === 'object' ? JSON.stringify(args[0]) : args[0]);
  wrap(net.Socket.prototype, 'connect', 'net.connect', first);
  wrap(dns, 'lookup', 'dns.lookup', first);
  wrap(dns.promises, 'lookup', 'dns.lookup', first);
  for (const name of [
    'readFile',
    'readFileSync',
    'open',
    'openSync',
    'readdir',
    'readdirSync',
    'stat',
    'statSync',
  ])
    wrap(fs, name, `fs.${name}`, first);
  for (const name of ['readFile', 'open', 'readdir', 'stat']) wrap(fs.promises, name, `fs.${name}`, first);
  wrap(http, 'request', 'http.request', first);
  wrap(https, 'request', 'https.request', first);
  wrap(globalThis, 'fetch', 'fetch', first);
  syncBuiltinESMExports();
}

const resourceCounts = () => {
  const counts = new Map();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
};

const url = pathToFileURL(bundle).href;
const modulesBefore = new Set(process.moduleLoadList);
const resourcesBefore = resourceCounts();

importing = true;
const started = performance.now();
const module = await import(url);
const initMs = performance.now() - started;
importing = false;

let firstInvocation;
if (event !== undefined) {
  const invoked = performance.now();
  const response = await module.handler(event, { awsRequestId: 'bench-cold-path' });
  firstInvocation = { ms: performance.now() - invoked, statusCode: response?.statusCode };
}

// Node built-ins the initialisation loaded; `internal/deps/undici/undici` is Node's fetch.
const builtins = process.moduleLoadList
  .filter((name) => !modulesBefore.has(name) && name.startsWith('NativeModule '))
  .map((name) => name.slice('NativeModule '.length))
  .filter((name) => !name.startsWith('internal/'));
const undici = process.moduleLoadList.some((name) => name.includes('internal/deps/undici/undici'));

// Work the initialisation left running (sockets, DNS requests, file handles), after it had a moment.
await new Promise((resolve) => setTimeout(resolve, audit ? 50 : 0));
const pending = [];
for (const [type, count] of resourceCounts()) {
  // Timers are not I/O; stdio pipes and TTYs are this harness's own channel to its parent.
  if (type === 'Timeout' || type === 'PipeWrap' || type === 'TTYWrap') continue;
  const extra = count - (resourcesBefore.get(type) ?? 0);
  if (extra > 0) pending.push(`${type}×${extra}`);
}

const result = {
  initMs,
  handler: typeof module.handler === 'function',
  undici,
  builtins,
  pending,
  ...(audit ? { operations } : {}),
  ...(firstInvocation ? { firstInvocation } : {}),
};
process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
// A module that left a socket or timer open must not keep the harness alive.
process.exit(0);
