/**
 * Ctrl-C in stream mode: there is no raw terminal, so SIGINT reaches stayssh itself. The
 * first one is relayed to the remote command as a signal and the session goes on until its
 * exit status arrives (as ssh with a command would end when the command does); a second
 * one soon after means "I want out now": leave, with the command still on the server.
 */
import type { Clock } from '../platform/clock.js';

/** A second Ctrl-C within this many ms leaves instead of relaying again. */
export const DOUBLE_INTERRUPT_MS = 1_000;

export interface InterruptActions {
  forward(): void;
  leave(): void;
}

export class InterruptRelay {
  private armedUntil: number | undefined;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly actions: InterruptActions,
  ) {}

  interrupt(): void {
    if (this.disposed) return;
    const now = this.clock.now();
    if (this.armedUntil !== undefined && now <= this.armedUntil) {
      this.dispose();
      this.actions.leave();
      return;
    }
    this.armedUntil = now + DOUBLE_INTERRUPT_MS;
    this.actions.forward();
  }

  dispose(): void {
    this.disposed = true;
  }
}
