/**
 * Where session events go (docs/BEHAVIOUR.md §5): the `--events` file (one JSON object per line,
 * appended), the hook commands (run with /bin/sh -c, detached, never blocking the
 * session), and any in-process listener (the library API).
 */
import { printableLine } from '../contracts/printable.js';
import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { SessionEvent, SessionEventName } from '../contracts/events.js';

export interface Hooks {
  onDisconnect?: string;
  onReconnect?: string;
  onGiveUp?: string;
}

export interface EventSinkOptions {
  eventsFile?: string;
  hooks: Hooks;
  host: string;
  port: number;
  user: string;
  session: string;
  listener?: (e: SessionEvent) => void;
  warn(text: string): void;
}

const HOOK_FOR: Partial<Record<SessionEventName, keyof Hooks>> = {
  disconnected: 'onDisconnect',
  reconnected: 'onReconnect',
  'gave-up': 'onGiveUp',
};

export class EventSink {
  private fileFailed = false;

  constructor(private readonly o: EventSinkOptions) {}

  emit(partial: Omit<SessionEvent, 'ts' | 'host' | 'session'>): SessionEvent {
    const event: SessionEvent = { ts: new Date().toISOString(), event: partial.event, host: this.o.host, session: this.o.session };
    for (const key of ['attempt', 'reason', 'downtimeMs', 'code'] as const) {
      if (partial[key] !== undefined) (event as unknown as Record<string, unknown>)[key] = partial[key];
    }
    // A reason can quote the server (a disconnect text): no control characters in the
    // events file or a hook's STAYSSH_REASON, whoever built it.
    if (event.reason !== undefined) event.reason = printableLine(event.reason);
    this.writeFile(event);
    this.runHook(event);
    this.o.listener?.(event);
    return event;
  }

  private writeFile(event: SessionEvent): void {
    if (!this.o.eventsFile || this.fileFailed) return;
    try {
      appendFileSync(this.o.eventsFile, `${JSON.stringify(event)}\n`, { mode: 0o600 });
    } catch (err) {
      this.fileFailed = true; // say it once, keep the session going
      this.o.warn(`stayssh: cannot write events to ${this.o.eventsFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  private runHook(event: SessionEvent): void {
    const hook = HOOK_FOR[event.event];
    const command = hook ? this.o.hooks[hook] : undefined;
    if (!command) return;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      STAYSSH_EVENT: event.event,
      STAYSSH_HOST: this.o.host,
      STAYSSH_PORT: String(this.o.port),
      STAYSSH_USER: this.o.user,
      STAYSSH_SESSION: this.o.session,
      STAYSSH_ATTEMPT: String(event.attempt ?? 0),
      STAYSSH_REASON: event.reason ?? '',
      STAYSSH_DOWNTIME_MS: String(event.downtimeMs ?? 0),
    };
    try {
      const child = spawn('/bin/sh', ['-c', command], { env, stdio: 'ignore', detached: true });
      child.on('error', () => undefined);
      child.unref();
    } catch {
      // a hook that cannot start must never take the session down
    }
  }
}
