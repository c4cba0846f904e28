/**
 * The CloudWatch metrics the functions publish (as embedded metric format in their logs) and the
 * construct's alarms and dashboard read: one list, so that a renamed metric cannot leave an alarm
 * watching nothing. Every metric carries the `service` dimension (one value per deployment, set by the
 * construct); `TokensIssued` also `GrantType`. No dimension ever holds a user or client identifier.
 */

/** The namespace unless POWERTOOLS_METRICS_NAMESPACE names another. */
export const METRIC_NAMESPACE = 'tinyoauth';

/** The dimension Powertools adds to every metric; its value is POWERTOOLS_SERVICE_NAME. */
export const SERVICE_DIMENSION = 'service';
/** The service dimension's value where nothing sets one (npm start, tests). */
export const DEFAULT_METRIC_SERVICE = 'tinyoauth';

/** The dimension of `TokensIssued`: `authorization_code`, `refresh_token` or `client_credentials`. */
export const GRANT_TYPE_DIMENSION = 'GrantType';
export const ISSUED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

export const METRICS = {
  signInSucceeded: 'SignInSucceeded',
  /** Wrong username or password, a locked username, or a disabled account. */
  signInFailed: 'SignInFailed',
  /** A username's failure window filled: it is locked for a window. */
  lockouts: 'Lockouts',
  tokensIssued: 'TokensIssued',
  refreshTokenReuse: 'RefreshTokenReuse',
  codeReplay: 'CodeReplay',
  authorizerAllowed: 'AuthorizerAllowed',
  authorizerDenied: 'AuthorizerDenied',
  clientsRegistered: 'ClientsRegistered',
  keyRotations: 'KeyRotations',
  /** Seconds since the ES256 key that signs was created, each time a signing function loads its keys. */
  signingKeyAge: 'SigningKeyAge',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];
