/**
 * The WebAuthn ceremonies by @simplewebauthn/server. Only the functions that register or verify
 * passkeys import this module (esbuild bundles per function), so the others stay as small as they were.
 * Challenges are the core's account tokens: 43 base64url characters, decoded to their 32 bytes, so the
 * `challenge` of the browser's client data is the token itself.
 */
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { PasskeyRecord, WebAuthnCeremonies } from '#core/users/passkeys';

type Transports = NonNullable<RegistrationResponseJSON['response']['transports']>;

const descriptor = (passkey: PasskeyRecord) => ({
  id: passkey.credentialId,
  ...(passkey.transports ? { transports: passkey.transports as Transports } : {}),
});

const bytes = (base64url: string) => new Uint8Array(Buffer.from(base64url, 'base64url'));
const TIMEOUT_MS = 5 * 60 * 1000;

/** A response as the browser helper sends it: an object with a base64url `id` and client data. */
function clientData(response: unknown): { id: string; challenge: string } | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const { id, response: inner } = response as { id?: unknown; response?: { clientDataJSON?: unknown } };
  const encoded = inner?.clientDataJSON;
  if (typeof id !== 'string' || typeof encoded !== 'string' || encoded.length > 4096) return undefined;
  try {
    const { challenge } = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    return typeof challenge === 'string' ? { id, challenge } : undefined;
  } catch {
    return undefined;
  }
}

/** The library throws for every malformed or wrong response: each is simply "not verified". */
async function unlessThrown<T>(attempt: () => Promise<T>): Promise<T | undefined> {
  try {
    return await attempt();
  } catch {
    return undefined;
  }
}

export const simpleWebAuthn: WebAuthnCeremonies = {
  registrationOptions: ({ rp, user, challenge, exclude }) =>
    generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.id,
      userName: user.username,
      // The stable `sub`, never the username: a name deleted and taken again is another user handle.
      userID: new TextEncoder().encode(user.sub),
      challenge: bytes(challenge),
      timeout: TIMEOUT_MS,
      attestationType: 'none',
      excludeCredentials: exclude.map(descriptor),
      // Discoverable, so that it signs in without a username.
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    }),

  authenticationOptions: ({ rp, challenge, allow = [] }) =>
    generateAuthenticationOptions({
      rpID: rp.id,
      challenge: bytes(challenge),
      timeout: TIMEOUT_MS,
      userVerification: 'preferred',
      allowCredentials: allow.map(descriptor),
    }),

  inspect(response) {
    const named = clientData(response);
    return named && { challenge: named.challenge, credentialId: named.id };
  },

  verifyRegistration: ({ rp, challenge, response }) =>
    unlessThrown(async () => {
      const { verified, registrationInfo } = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: false,
      });
      if (!verified) return undefined;
      const { credential, credentialDeviceType, credentialBackedUp } = registrationInfo;
      return {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        backupEligible: credentialDeviceType === 'multiDevice',
        backedUp: credentialBackedUp,
        ...(credential.transports ? { transports: credential.transports } : {}),
      };
    }),

  verifyAuthentication: ({ rp, challenge, response, credential }) =>
    unlessThrown(async () => {
      // The library refuses a counter that did not grow, whenever either counter is not zero.
      const { verified, authenticationInfo } = await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        credential: storedCredential(credential),
        requireUserVerification: false,
      });
      if (!verified) return undefined;
      return { counter: authenticationInfo.newCounter, backedUp: authenticationInfo.credentialBackedUp };
    }),
};

const storedCredential = (passkey: PasskeyRecord) => ({
  id: passkey.credentialId,
  publicKey: bytes(passkey.publicKey),
  counter: passkey.counter,
  ...(passkey.transports ? { transports: passkey.transports as Transports } : {}),
});
