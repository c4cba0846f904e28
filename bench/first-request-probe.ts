/**
 * Bundled like a function and run in a fresh Node process by bench/first-request.ts: the first DynamoDB
 * request of a new execution environment (transport modules loaded, connection opened) and the next one.
 */
import { DynamoDb } from '#adapters/aws/dynamodb';

const endpoint = process.argv[2];
if (!endpoint) throw new Error('usage: node first-request-probe.mjs <DynamoDB endpoint>');
const db = new DynamoDb({
  region: 'us-east-1',
  endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});
const timed = async () => {
  const started = performance.now();
  await db.call('ListTables', { Limit: 1 });
  return performance.now() - started;
};
const firstMs = await timed();
const nextMs = await timed();
// Undocumented but stable: the built-in modules Node has loaded; undici is its fetch implementation.
const loaded = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
const undici = loaded.some((name) => name.includes('internal/deps/undici/undici'));
process.stdout.write(`${JSON.stringify({ firstMs, nextMs, undici })}\n`);
