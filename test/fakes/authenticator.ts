/**
 * A software WebAuthn authenticator (ES256, attestation "none", a discoverable credential) for tests
 * without a browser: it answers the options the server hands out with responses shaped exactly as
 * @simplewebauthn/browser posts them, so the real ceremonies verify them.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const b64u = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const UP_UV = 0x05;
const ATTESTED = 0x40;
const BACKUP_ELIGIBLE = 0x08;
const BACKED_UP = 0x10;

interface Options {
  challenge: string;
  rp?: { id: string };
  rpId?: string;
  user?: { id: string };
}

export class SoftwareAuthenticator {
  credentialId = b64u(randomBytes(16));
  counter = 0;
  private readonly key: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  private userHandle = '';

  /** `synced`: a backup-eligible (multi-device) credential; `counting`: the counter grows with each use. */
  constructor(
    private readonly origin: string,
    private readonly traits: { synced?: boolean; counting?: boolean } = {},
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    this.publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  private flags(extra = 0) {
    return UP_UV | extra | (this.traits.synced ? BACKUP_ELIGIBLE | BACKED_UP : 0);
  }

  private authenticatorData(rpId: string, flags: number, attested?: Buffer): Buffer {
    if (this.traits.counting) this.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, attested ?? Buffer.alloc(0)]);
  }

  private clientData(type: string, challenge: string): string {
    return b64u(Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false })));
  }

  /** The response to registration options (PublicKeyCredentialCreationOptionsJSON). */
  register(options: unknown) {
    const { challenge, rp, user } = options as Options;
    this.userHandle = user?.id ?? '';
    const id = Buffer.from(this.credentialId, 'base64url');
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(this.publicJwk.x, 'base64url')],
      [-3, Buffer.from(this.publicJwk.y, 'base64url')],
    ]);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), length, id, Buffer.from(isoCBOR.encode(cose))]);
    const authData = this.authenticatorData(rp?.id ?? '', this.flags(ATTESTED), attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as Parameters<typeof isoCBOR.encode>[0],
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', challenge),
        attestationObject: b64u(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /** The response to authentication options (PublicKeyCredentialRequestOptionsJSON). */
  authenticate(options: unknown) {
    const { challenge, rpId } = options as Options;
    const authData = this.authenticatorData(rpId ?? '', this.flags());
    const clientDataJSON = this.clientData('webauthn.get', challenge);
    const signed = Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: b64u(authData),
        signature: b64u(sign('sha256', signed, this.key)),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
    };
  }
}
