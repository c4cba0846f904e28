import type { HttpRequest } from '#adapters/http/request';
import type { HttpResponse } from '#adapters/http/responses';
import { AccountForms } from '#adapters/web/account-forms';
import { FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { InvalidRequest, TooManyAttempts, UsernameTaken } from '#core/errors';
import type { Logger } from '#core/logging';
import { sendVerification } from '../users/register.ts';
import {
  type AccountPage,
  accountPageHandler,
  type Credentials,
  lockedOutForm,
  readSubmission,
  requestInQuery,
  signInAndContinue,
} from './account-pages.ts';
import type { AccountPageDependencies } from './dependencies.ts';

/**
 * GET /signup shows the sign-up page; POST /signup creates the account with `Accounts.register`, signs
 * the new user in with `Accounts.login` (so the session is made exactly as for any sign-in), sets the
 * session cookie and continues the authorization request it carries with a 303.
 */
export const createSignUpHandler = (deps: AccountPageDependencies, logger: Logger) =>
  accountPageHandler(new SignUpPage(deps), logger);

class SignUpPage implements AccountPage {
  private readonly forms: AccountForms;

  constructor(private readonly deps: AccountPageDependencies) {
    this.forms = new AccountForms(deps);
  }

  async show(request: HttpRequest): Promise<HttpResponse> {
    return this.forms.signUp(request, { request: await requestInQuery(this.deps, request) });
  }

  async submit(request: HttpRequest, log: Logger): Promise<HttpResponse> {
    const { fields, carried, username, expired } = await readSubmission(
      this.deps,
      request,
      FORM_PURPOSE.signUp,
    );
    const profile = { email: fields.get('email'), name: fields.get('name') };
    const again = (error: string, status: number) =>
      this.forms.signUp(request, { request: carried, username, ...profile, error }, { status });
    if (expired) {
      log.info('sign-up form refused', { detail: expired.detail });
      return again('This form has expired. Please try again.', 403);
    }
    const password = fields.get('password');
    if (username === undefined || password === undefined) {
      return again('Choose a username and a password.', 400);
    }
    if (password !== (fields.get('password_again') ?? '')) {
      return again('The two passwords are not the same.', 400);
    }
    const refusal = await this.register(
      { username, password, profile, address: request.sourceAddress() },
      log,
    );
    if (refusal) return again(refusal.message, refusal.status);
    return this.signIn(request, { username, password, carried });
  }

  /** Creates the account; what to tell the user when the name or password is refused. */
  private async register(
    account: {
      username: string;
      password: string;
      profile: Record<string, string | undefined>;
      address: string | undefined;
    },
    log: Logger,
  ): Promise<{ message: string; status: number } | undefined> {
    try {
      const { sub, user } = await this.deps.accounts.register(
        account.username,
        account.password,
        account.profile,
      );
      log.info('user registered', { sub });
      if (this.deps.emailVerification) {
        await sendVerification(this.deps.emailVerification, user, account.address, log);
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof InvalidRequest || error instanceof UsernameTaken)) throw error;
      log.info('sign-up refused', { code: error.code });
      const message = error instanceof UsernameTaken ? 'That username is already taken.' : error.description;
      return { message, status: error.status };
    }
  }

  private async signIn(request: HttpRequest, credentials: Credentials): Promise<HttpResponse> {
    const { username, carried } = credentials;
    try {
      return await signInAndContinue(this.deps, credentials);
    } catch (error) {
      // Failed sign-ins for a name are counted even before it exists, so a new account can start locked.
      if (!(error instanceof TooManyAttempts)) throw error;
      return lockedOutForm(this.forms, request, {
        locked: error,
        reason: 'Signing in to this account is locked after too many failed attempts.',
        fields: { request: carried, username, notice: 'Your account has been created.' },
      });
    }
  }
}
