/**
 * The DynamoDB tables, defined once. The CDK construct and the local stack both build their tables from
 * this list, so local and cloud cannot drift. Physical names are `${TABLE_PREFIX}${name}` (default
 * prefix `tinyoauth_`).
 */

export interface TableDefinition {
  /** Logical name; the physical table is `${prefix}${name}`. */
  name: string;
  partitionKey: string;
  sortKey?: string;
  /** Epoch-seconds attribute DynamoDB's TTL deletes by. Deletion lags, so readers check it themselves. */
  ttlAttribute?: string;
  /**
   * Global secondary indexes. `projection` names the non-key attributes an index carries (INCLUDE);
   * without it the index carries every attribute (ALL). An update that changes no projected attribute
   * costs the index nothing, which is why a narrow projection is worth naming.
   */
  indexes?: { name: string; partitionKey: string; sortKey?: string; projection?: readonly string[] }[];
  /** Whether `cdk destroy` keeps the table (true for data a team cannot recreate). */
  retain: boolean;
  description: string;
}

const definitions = {
  users: {
    name: 'users',
    partitionKey: 'username',
    // OpenID Connect names users by `sub` (userinfo, ID tokens). The profile is projected so one Query
    // answers; login and logout change only unprojected attributes, so they never write the index.
    indexes: [
      {
        name: 'bySub',
        partitionKey: 'sub',
        projection: ['email', 'emailVerified', 'name', 'updatedAt', 'createdAt'],
      },
      // "Forgot your password?" takes an email address: the accounts that give it (any may, none owns it).
      { name: 'byEmail', partitionKey: 'email', projection: ['sub'] },
    ],
    retain: true,
    description:
      'One item per user: scrypt hash, online flag, last operation time, optional email and name, second factors.',
  },
  sessions: {
    name: 'sessions',
    partitionKey: 'sessionId',
    ttlAttribute: 'expiresAt',
    // A user's sessions: listed on the account page, all ended at a password reset, and queried by an
    // operator (admin tool). What decides whether one is live is projected, so no query reads the items.
    indexes: [
      { name: 'bySub', partitionKey: 'sub', projection: ['createdAt', 'expiresAt', 'revokedAt', 'amr'] },
    ],
    retain: false,
    description: 'Login sessions; a session token is valid only while its item is present and not revoked.',
  },
  loginAttempts: {
    name: 'login_attempts',
    partitionKey: 'username',
    ttlAttribute: 'expiresAt',
    retain: false,
    description:
      'Failed-login counters per username (existing or not); a full counter locks until expiresAt.',
  },
  clients: {
    name: 'clients',
    partitionKey: 'clientId',
    indexes: [{ name: 'byOwner', partitionKey: 'owner', sortKey: 'clientIdIssuedAt' }],
    // Only clients registered without an account carry it, until their first use.
    ttlAttribute: 'expiresAt',
    retain: true,
    description:
      'Registered OAuth clients with their owner (none when registered openly); secrets only as hashes.',
  },
  registrationLimits: {
    name: 'registration_limits',
    partitionKey: 'source',
    ttlAttribute: 'expiresAt',
    retain: false,
    description:
      'Open registrations per source address and window; a full counter refuses more until expiresAt.',
  },
  codes: {
    name: 'codes',
    partitionKey: 'codeHash',
    ttlAttribute: 'expiresAt',
    retain: false,
    description:
      'Authorization codes, keyed by their hash, bound to client, redirect URI, user, scope, PKCE.',
  },
  grants: {
    name: 'grants',
    partitionKey: 'grantId',
    ttlAttribute: 'expiresAt',
    indexes: [
      { name: 'byClient', partitionKey: 'clientId' },
      // A deleted account's grants, which go with it.
      { name: 'bySub', partitionKey: 'sub', projection: ['clientId'] },
    ],
    retain: false,
    description:
      'One item per grant (code redemption or client credentials); the root every token is revoked by.',
  },
  refreshTokens: {
    name: 'refresh_tokens',
    partitionKey: 'tokenHash',
    ttlAttribute: 'expiresAt',
    retain: false,
    description:
      'Refresh tokens by hash; a rotated one is kept until expiry so that its reuse can be detected.',
  },
  revokedTokens: {
    name: 'revoked_tokens',
    partitionKey: 'jti',
    ttlAttribute: 'expiresAt',
    retain: false,
    description: 'Individually revoked access tokens (RFC 7009), kept until the token would have expired.',
  },
  consents: {
    name: 'consents',
    partitionKey: 'sub',
    sortKey: 'clientId',
    retain: false,
    description:
      'Scopes each user approved for each client on the consent page; asked again when a client wants more.',
  },
  accountTokens: {
    name: 'account_tokens',
    partitionKey: 'tokenHash',
    ttlAttribute: 'expiresAt',
    retain: false,
    description:
      'Single-use tokens sent by mail or held between sign-in steps (verification, reset, MFA), by hash.',
  },
  passkeys: {
    name: 'passkeys',
    partitionKey: 'credentialId',
    // A user's passkeys: listed on the account page. The name and the times are projected for the list.
    indexes: [
      { name: 'bySub', partitionKey: 'sub', projection: ['name', 'createdAt', 'lastUsedAt', 'kind'] },
    ],
    retain: true,
    description:
      'WebAuthn credentials (passkeys) by credential id: public key, sign counter, backup state, owner.',
  },
  rateLimits: {
    name: 'rate_limits',
    partitionKey: 'bucketId',
    ttlAttribute: 'expiresAt',
    retain: false,
    description: 'Counters of mails and requests per account and per source address within a window.',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof definitions;

export const tables: Readonly<Record<TableKey, TableDefinition>> = definitions;

export const tableName = (prefix: string, table: TableKey): string => `${prefix}${tables[table].name}`;

export type KeyType = 'S' | 'N';

/**
 * The DynamoDB type of a key attribute, for the CDK stack and the local stack alike. Keys are named by
 * convention: an attribute named `…At` is a time in epoch seconds, a number (e.g. `clientIdIssuedAt`,
 * the sort key of `clients.byOwner`); every other key is a string.
 */
export const keyAttributeType = (attribute: string): KeyType => (/At$/.test(attribute) ? 'N' : 'S');
