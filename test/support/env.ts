/**
 * Runs in every test worker before the test file (vitest `setupFiles`): the environment a function reads
 * at module scope, pointing at what test/support/global-setup.ts prepared. Handler modules imported by a
 * test see the shared DynamoDB Local, the `test_` tables and a throwaway key set.
 */
import { inject } from 'vitest';

const endpoint = inject('dynamoDbEndpoint');
// The `unit` project has no DynamoDB: a reserved, never-resolving name (RFC 6761) makes an accidental
// call fail at once instead of reaching AWS. Tests that need DynamoDB belong in test/integration.
process.env.DYNAMODB_ENDPOINT = endpoint || 'http://no-dynamodb-in-unit-tests.invalid';
process.env.TABLE_PREFIX = inject('tablePrefix');
process.env.AWS_REGION = inject('region');
process.env.SIGNING_KEYS_FILE = inject('signingKeysFile');
// OWASP's 17 costs ~0.5 s per hash; 14 (the lowest config.ts accepts) keeps tests fast.
process.env.SCRYPT_LOG_N = '14';
process.env.LOG_LEVEL ??= 'warn';
