/**
 * Authentication in OpenSSH's order (PreferredAuthentications, by default publickey,
 * keyboard-interactive, password): agent keys, then IdentityFile keys, then the
 * interactive methods. Everything typed is kept in the run's SecretCache, so that a
 * re-dial authenticates without a person; only one-time codes are asked again.
 *
 * ssh2's authHandler is called once per attempt with the methods the server still
 * allows (null before the first failure); we walk a list of planned attempts. Being
 * called again means the previous attempt was refused, so the secrets it sent (its
 * password, its keyboard-interactive answers) are dropped from the cache — and from the
 * keychain when they came from there — before the next attempt asks again. What survives
 * a successful dial is what the server accepted (SecretCache.accepted()).
 *
 * Passwords and keyboard-interactive answers belong to one server: each is held, stored
 * and recalled with the fingerprint of the host key this connection verified, so a
 * secret accepted by one machine is never sent to another that shares its name
 * (docs/BEHAVIOUR.md §6). ssh2 calls the authHandler only after the key exchange, and the
 * key exchange completes only after hostVerifier (the HostKeyGate) said yes: the key is
 * known by the time a secret is looked up.
 */
import { printableText } from '../contracts/printable.js';
import ssh2 from './ssh2.js';
import type { AnyAuthMethod, AuthHandlerMiddleware, KeyboardInteractiveCallback, Prompt } from 'ssh2';
import { FilteredAgent } from './agent.js';
import { loadIdentity, publicBlobOf, type IdentitySource } from './identities.js';
import type { Prompter, SecretCache } from './prompter.js';
import { kbdAccount, passwordAccount, type Destination } from '../credentials/accounts.js';
import { fingerprintSha256 } from '../config/known-hosts.js';

const { OpenSSHAgent } = ssh2;

/** OpenSSH's NumberOfPasswordPrompts default (it applies to keyboard-interactive too). */
const PASSWORD_TRIES = 3;

export interface AuthOptions {
  user: string;
  /** HostName, for the password question (as ssh asks it). */
  host: string;
  port: number;
  /** Where this server's secrets are filed: the user at the host key's name (credentials/accounts.ts). */
  account: Destination;
  /**
   * The host key the gate verified on this connection; undefined until it did (then
   * nothing stored is sent and nothing typed is kept).
   */
  hostKey(): Buffer | undefined;
  identities: IdentitySource[];
  identitiesOnly: boolean;
  agentSocket: string | undefined;
  /** Method names in order: publickey, keyboard-interactive, password. */
  preferred: string[];
  pubkey: boolean;
  password: boolean;
  keyboardInteractive: boolean;
  /** Undefined in BatchMode: never ask, skip what would need asking. */
  prompter: Prompter | undefined;
  secrets: SecretCache;
  warn(text: string): void;
}

/** `used`: cache keys of the secrets this attempt sends, dropped if it is refused. */
type Attempt = { method: string; build: (used: Set<string>) => Promise<AnyAuthMethod | undefined> };

/** Cache key of the account's password: `user@host:port`, as the keychain uses (docs/BEHAVIOUR.md §6). */
export function accountKey(o: Pick<AuthOptions, 'account'>): string {
  return passwordAccount(o.account);
}

/** The SHA256 fingerprint of this connection's verified host key: what its secrets are bound to. */
function boundTo(o: AuthOptions): string | undefined {
  const key = o.hostKey();
  return key !== undefined && key.length > 0 ? fingerprintSha256(key) : undefined;
}

function publickeyAttempts(o: AuthOptions): Attempt[] {
  const attempts: Attempt[] = [];
  if (o.agentSocket) {
    const socket = o.agentSocket;
    attempts.push({
      method: 'publickey',
      build: async () => {
        const agent = o.identitiesOnly
          ? new FilteredAgent(socket, o.identities.map((i) => publicBlobOf(i.path)).filter((b): b is Buffer => !!b))
          : new OpenSSHAgent(socket);
        return { type: 'agent', username: o.user, agent };
      },
    });
  }
  for (const identity of o.identities) {
    attempts.push({
      method: 'publickey',
      build: async () => {
        const key = await loadIdentity(identity, o);
        return key ? { type: 'publickey', username: o.user, key } : undefined;
      },
    });
  }
  return attempts;
}

function passwordAttempts(o: AuthOptions): Attempt[] {
  const key = accountKey(o);
  return Array.from({ length: PASSWORD_TRIES }, (_, i) => ({
    method: 'password',
    build: async (used) => {
      const hostKey = boundTo(o);
      // After a refusal the handler has already dropped the password: this asks again.
      // Stored for another host key (or before secrets were bound to one): asked for too.
      let password = hostKey !== undefined ? await o.secrets.recall(key, hostKey) : undefined;
      if (password === undefined) {
        if (!o.prompter) return undefined;
        if (i > 0) o.warn('Permission denied, please try again.');
        password = await o.prompter.secret(`${o.user}@${o.host}'s password: `);
        if (hostKey !== undefined) o.secrets.set(key, password, hostKey);
      }
      used.add(key);
      return { type: 'password', username: o.user, password };
    },
  }));
}

/** Prompts that look like a reusable password (not a one-time code) are answered from memory. */
function isPasswordPrompt(prompt: string): boolean {
  return /password|passphrase/i.test(prompt) && !/one[- ]time|otp|code|token|verification/i.test(prompt);
}

function keyboardInteractiveAttempt(o: AuthOptions): Attempt {
  const answer = async (p: Prompt, used: Set<string>): Promise<string> => {
    const cacheKey = kbdAccount(o.account, p.prompt);
    const hostKey = boundTo(o);
    // Only with a verified host key is an answer reused or kept (docs/BEHAVIOUR.md §6).
    const reusable = isPasswordPrompt(p.prompt) && hostKey !== undefined;
    // The same question twice in one exchange: the server did not like the answer.
    if (reusable && used.has(cacheKey)) o.secrets.delete(cacheKey, hostKey);
    const cached = reusable ? await o.secrets.recall(cacheKey, hostKey) : undefined;
    if (reusable) used.add(cacheKey);
    if (cached !== undefined) return cached;
    if (!o.prompter) throw new Error('no terminal to answer keyboard-interactive prompts');
    // The prompt is the server's text: shown without its control characters, as ssh does.
    const question = printableText(p.prompt);
    const reply = p.echo ? await o.prompter.line(question) : await o.prompter.secret(question);
    if (reusable) o.secrets.set(cacheKey, reply, hostKey);
    return reply;
  };
  return {
    method: 'keyboard-interactive',
    build: async (used) => ({
      type: 'keyboard-interactive',
      username: o.user,
      prompt: (_name: string, instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => {
        if (instructions && o.prompter) o.warn(printableText(instructions));
        (async () => {
          const replies: string[] = [];
          for (const p of prompts) replies.push(await answer(p, used));
          return replies;
        })().then(finish, () => finish([]));
      },
    }),
  };
}

function plan(o: AuthOptions): Attempt[] {
  const attempts: Attempt[] = [];
  for (const method of o.preferred) {
    if (method === 'publickey' && o.pubkey) attempts.push(...publickeyAttempts(o));
    if (method === 'keyboard-interactive' && o.keyboardInteractive) {
      for (let i = 0; i < PASSWORD_TRIES; i++) attempts.push(keyboardInteractiveAttempt(o));
    }
    if (method === 'password' && o.password) attempts.push(...passwordAttempts(o));
  }
  return attempts;
}

/** A fresh handler for one dial (its position in the plan is per connection). */
export function makeAuthHandler(o: AuthOptions): AuthHandlerMiddleware {
  const attempts = plan(o);
  let next = 0;
  let used = new Set<string>();
  const handler = (authsLeft: string[] | null, partial: boolean | null, done: (m: AnyAuthMethod | false) => void): void => {
    // Called again without partial success: the last attempt was refused.
    if (!partial) for (const key of used) o.secrets.delete(key, boundTo(o));
    used = new Set();
    void (async () => {
      while (next < attempts.length) {
        const attempt = attempts[next++];
        if (!attempt) break;
        if (authsLeft && !authsLeft.includes(attempt.method)) continue;
        const method = await attempt.build(used);
        if (method) return done(method);
      }
      done(false);
    })().catch(() => done(false));
  };
  return handler as unknown as AuthHandlerMiddleware;
}
