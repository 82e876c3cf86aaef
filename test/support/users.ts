/** Signed-in users for tests on a manual clock: the session is renewed once the clock has moved past its access token. */
import { type Address, getAddress } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { TestServer } from './server.ts';
import { type SignedIn, signIn } from './siwe.ts';

/** Renew well inside the default 15-minute access token. */
const RENEW_AFTER_MS = 10 * 60_000;

export class SessionUser {
  private constructor(
    private readonly server: TestServer,
    readonly account: PrivateKeyAccount,
    private session: SignedIn,
    private since: number,
  ) {}

  static async signIn(server: TestServer, account: PrivateKeyAccount): Promise<SessionUser> {
    return new SessionUser(server, account, await signIn(server, account), server.clock.now());
  }

  get auth(): string {
    return this.session.auth;
  }
  get address(): Address {
    return getAddress(this.session.user.address);
  }
  get userId(): string {
    return this.session.user.id;
  }

  /** Signs in again when the manual clock has moved on since the last sign-in. */
  async renew(): Promise<void> {
    if (this.server.clock.now() - this.since < RENEW_AFTER_MS) return;
    this.session = await signIn(this.server, this.account);
    this.since = this.server.clock.now();
  }

  /** A call to the server as this user. */
  call(method: string, path: string, body?: unknown) {
    return this.server.call(method, path, { auth: this.auth, ...(body === undefined ? {} : { body }) });
  }
}
