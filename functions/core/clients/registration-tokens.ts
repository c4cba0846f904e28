/**
 * RFC 7592 registration access tokens: the bearer credential with which whoever registered a client
 * manages it at its registration_client_uri. 256 random bits (randomSecret), stored only as a SHA-256
 * hash on the client, like a client secret. They have no dots, so a bearer token that has some is a
 * session token (a JWT): one header tells the two apart without reading anything.
 */
import { randomSecret, sha256 } from '#core/secrets';

export interface RegistrationAccessToken {
  /** Shown to the registrant once, in the response that issues it. */
  token: string;
  hash: string;
}

export function newRegistrationAccessToken(): RegistrationAccessToken {
  const token = randomSecret();
  return { token, hash: sha256(token) };
}

/** Whether `token` is shaped like a registration access token (43 base64url characters). */
export const isRegistrationAccessToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token);

/** Where a client is managed (RFC 7592 §3): below the issuer, as infra/routes.ts serves /client/{client_id}. */
export const registrationClientUri = (issuer: string, clientId: string): string =>
  `${issuer}/client/${encodeURIComponent(clientId)}`;
