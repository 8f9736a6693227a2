/**
 * The library entry (docs/BEHAVIOUR.md §5): `import { connect } from 'stayssh'`.
 *
 *   const session = connect({ host: 'build1', command: 'make test', policy: (ctx) => ... });
 *   session.on('reconnected', (e) => notify(`back after ${e.downtimeMs} ms`));
 *   process.exitCode = await session.exited;
 *
 * The same machinery as the CLI, assembled from options instead of argv: ssh_config
 * resolution (so `~/.ssh/config` aliases work), the connector with its pinned host key,
 * the network watcher, and either the interactive runner over a caller's TerminalPort or
 * stream mode for a command. Events are those of `--events` (same objects, same names),
 * delivered on a typed EventEmitter; hooks and an events file are available too.
 *
 * Work starts on the next turn of the event loop, so listeners added right after
 * connect() see every event from `connecting` on.
 */
import { EventEmitter } from 'node:events';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { localUserName } from './config/local-user.js';
import type { MuxChoice } from './contracts/mux.js';
import { quoteConfigArg, resolveSshConfig } from './config/ssh-config.js';
import type { ResolvedSshConfig, StrictHostKeyChecking } from './config/types.js';
import { systemClock } from './platform/clock.js';
import { EventSink, type Hooks } from './engine/event-sink.js';
import type { PolicyContext, ReconnectPolicy, SessionEvent, SessionEventName } from './contracts/events.js';
import { InteractiveSession } from './session/interactive.js';
import { generateSessionName } from './remote/session-names.js';
import { retrySettings } from './core/policy.js';
import type { TerminalPort } from './contracts/terminal-port.js';
import { watchNetwork } from './platform/watchers/index.js';
import { livenessFrom } from './engine/liveness-settings.js';
import { runStream } from './stream/stream-session.js';
import { connectTimeoutOf, makeConnector } from './transport/connector.js';
import { StaysshError } from './errors.js';
import { SecretCache, type Prompter } from './transport/prompter.js';

export type { PolicyContext, ReconnectPolicy, SessionEvent, SessionEventName, TerminalPort, Prompter, Hooks, MuxChoice };

export interface ConnectOptions {
  /** A host name, an address or a `~/.ssh/config` alias. */
  host: string;
  user?: string;
  port?: number;
  /** IdentityFile(s), tried before the config's. */
  identity?: string | string[];
  /** UserKnownHostsFile(s). */
  knownHosts?: string | string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** More ssh_config settings, as `-o` would give them (e.g. { ServerAliveInterval: '15' }). */
  sshOptions?: Record<string, string> | Array<[string, string]>;
  /** ssh_config file to read instead of ~/.ssh/config (then /etc/ssh/ssh_config is skipped); null: none. */
  configFile?: string | null;
  /** Remote session name (default: a fresh generated one). */
  session?: string;
  mux?: MuxChoice;
  /** The remote command. Without `terminal`: stream mode (required). With it: the `-t` command. */
  command?: string;
  /** Interactive mode: the session's screen and keys go through this port. */
  terminal?: TerminalPort;
  /** Stream mode input (default: none, the command sees EOF). */
  stdin?: NodeJS.ReadableStream;
  /** Stream mode outputs (default: this process's stdout and stderr). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Variables for the remote side (sent as env requests / carried into the session). */
  env?: Record<string, string>;
  /** Interactive TERM (default xterm-256color). */
  term?: string;
  /** Milliseconds before the next re-dial, or 'give-up'. Replaces the default backoff. */
  policy?: ReconnectPolicy;
  /** Bounds for the default policy (ignored when `policy` is given). */
  maxAttempts?: number;
  giveUpAfterMs?: number;
  backoffMaxMs?: number;
  /** Watch addresses, routes and wake from sleep (default true). */
  watchNetwork?: boolean;
  /** Asks a person for passwords, passphrases, host keys; absent: nobody is asked. */
  prompter?: Prompter;
  /** Append `--events` lines to this file too. */
  eventsFile?: string;
  hooks?: Hooks;
}

/** Event name -> listener arguments. Every event also arrives as 'event'. */
export interface SessionEvents {
  connecting: [SessionEvent];
  connected: [SessionEvent];
  attached: [SessionEvent];
  disconnected: [SessionEvent];
  reconnecting: [SessionEvent];
  reconnected: [SessionEvent];
  'gave-up': [SessionEvent];
  exit: [SessionEvent];
  event: [SessionEvent];
  /** A warning stayssh would print on stderr (host key notices, hook failures). */
  warning: [string];
}

/** The first connection failed (like ssh exiting 255 before any session). */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

export class StaysshSession extends EventEmitter<SessionEvents> {
  /** The remote session name (resume it with `stayssh --session NAME host`). */
  readonly name: string;
  /** The exit status: the remote command's, or 255 (gave up, detached, killed by a signal). */
  readonly exited: Promise<number>;
  private interruptHandler: (() => void) | undefined;

  constructor(private readonly o: ConnectOptions) {
    super();
    this.name = o.session ?? generateSessionName();
    this.exited = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run());
    // The caller may only ever look at events; an unobserved rejection must not crash it.
    this.exited.catch(() => undefined);
  }

  /** Stream mode: relay Ctrl-C to the command; a second one within 1 s leaves (code 255). */
  interrupt(): void {
    this.interruptHandler?.();
  }

  private async run(): Promise<number> {
    const o = this.o;
    const cfg = resolveConfig(o);
    const warn = (text: string) => this.emit('warning', text);
    const sink = new EventSink({
      eventsFile: o.eventsFile,
      hooks: o.hooks ?? {},
      host: cfg.originalHost,
      port: cfg.port,
      user: cfg.user,
      session: this.name,
      warn,
      listener: (e) => this.deliver(e),
    });
    const connector = makeConnector(cfg, { prompter: o.prompter, secrets: new SecretCache(), env: process.env, warn });
    const retry = retrySettings({ maxAttempts: o.maxAttempts, giveUpAfterMs: o.giveUpAfterMs, backoffMaxMs: o.backoffMaxMs, custom: o.policy });
    const firstLoginWindowMs = connectTimeoutOf(cfg);
    const watch = o.watchNetwork === false ? undefined : watchNetwork(connector);
    const liveness = livenessFrom(cfg);

    if (o.terminal) {
      const result = await new InteractiveSession({
        connector,
        attach: { name: this.name, mux: o.mux ?? 'auto', create: true, command: o.command, env: o.env ?? {}, term: o.term ?? 'xterm-256color' },
        terminal: o.terminal,
        escapeChar: cfg.escapeChar,
        liveness,
        retry,
        firstLoginWindowMs,
        clock: systemClock,
        onEvent: (e) => sink.emit(e),
        notice: warn,
        watchNetwork: watch,
      }).run();
      if (!result.wasUp) throw new ConnectError(result.reason);
      return result.code;
    }

    if (o.command === undefined) throw new ConnectError('connect(): give a command (stream mode) or a terminal (interactive mode)');
    try {
      return await runStream({
        connector,
        name: this.name,
        command: o.command,
        env: o.env ?? {},
        stdin: o.stdin ?? Readable.from([]),
        stdout: o.stdout ?? process.stdout,
        stderr: o.stderr ?? process.stderr,
        liveness,
        retry,
        firstLoginWindowMs,
        onEvent: (e) => sink.emit(e),
        warn,
        onInterrupt: (handler) => {
          this.interruptHandler = handler;
          return () => (this.interruptHandler = undefined);
        },
        watchNetwork: watch,
      });
    } catch (err) {
      if (err instanceof StaysshError) throw new ConnectError(err.message);
      throw err;
    }
  }

  private deliver(e: SessionEvent): void {
    try {
      this.emit(e.event, e);
      this.emit('event', e);
    } catch (err) {
      // A throwing listener is the caller's bug: surface it like any uncaught error, but
      // outside the session's own call stack, which must finish its state change.
      process.nextTick(() => {
        throw err;
      });
    }
  }
}

/** Starts a session; see StaysshSession for what it gives. */
export function connect(options: ConnectOptions): StaysshSession {
  return new StaysshSession(options);
}

function resolveConfig(o: ConnectOptions): ResolvedSshConfig {
  const pairs: Array<[string, string]> = [];
  for (const file of [o.identity ?? []].flat()) pairs.push(['IdentityFile', file]);
  const known = [o.knownHosts ?? []].flat();
  if (known.length > 0) pairs.push(['UserKnownHostsFile', known.map(quoteConfigArg).join(' ')]);
  if (o.strictHostKeyChecking) pairs.push(['StrictHostKeyChecking', o.strictHostKeyChecking]);
  pairs.push(...(Array.isArray(o.sshOptions) ? o.sshOptions : Object.entries(o.sshOptions ?? {})));
  const home = process.env['HOME'] || homedir();
  const file = o.configFile === undefined ? join(home, '.ssh', 'config') : o.configFile;
  return resolveSshConfig({
    host: o.host,
    user: o.user,
    port: o.port,
    commandLine: pairs,
    userConfigPath: file,
    userConfigFromFlag: o.configFile !== undefined && o.configFile !== null,
    systemConfigPath: o.configFile === undefined ? '/etc/ssh/ssh_config' : null,
    homeDir: home,
    localUser: localUserName(),
    localHostName: hostname(),
  });
}

