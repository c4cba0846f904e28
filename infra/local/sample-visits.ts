/** The sample app's visitors, known by a random session cookie; what it keeps of them stays on its server. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PendingFlow, SignInResult } from './sample-oauth.ts';

const COOKIE = 'sample_app_session';
/** How long the app remembers a visitor (and a flow in progress). */
const SESSION_TTL_MS = 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

export const CLEARED_SESSION_COOKIE = `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`;

export interface Visit {
  expiresAt: number;
  /** The flow in progress: PKCE verifier and state, bound to this browser by the cookie. */
  pending?: PendingFlow;
  result?: SignInResult;
  error?: string;
}

export class Visits {
  private readonly visits = new Map<string, Visit>();

  /** The request's visit, or a new one with the cookie that names it (the oldest forgotten when full). */
  of(request: IncomingMessage): { id: string; visit: Visit; cookie?: string } {
    const now = Date.now();
    const id = /(?:^|;\s*)sample_app_session=([A-Za-z0-9_-]{43})(?:;|$)/.exec(
      request.headers.cookie ?? '',
    )?.[1];
    const existing = id ? this.visits.get(id) : undefined;
    if (id && existing && existing.expiresAt > now) return { id, visit: existing };
    if (this.visits.size >= MAX_SESSIONS) this.visits.delete(this.visits.keys().next().value as string);
    const fresh = randomBytes(32).toString('base64url');
    const visit: Visit = { expiresAt: now + SESSION_TTL_MS };
    this.visits.set(fresh, visit);
    return {
      id: fresh,
      visit,
      cookie: `${COOKIE}=${fresh}; Path=/; Max-Age=${SESSION_TTL_MS / 1000}; HttpOnly; SameSite=Lax`,
    };
  }

  forget(id: string): void {
    this.visits.delete(id);
  }
}
