/**
 * What -L and -D share: a local listener bound once for the whole run, whose connections
 * ride whatever link the LinkGate has when they arrive. Subclasses say what a connection
 * becomes.
 */
import type { Socket } from 'node:net';
import type { AddressFamily } from '../config/types.js';
import type { LinkGate } from './link-gate.js';
import { bindListener, closeListener, type BoundListener, type ListenSpec } from './listen.js';
import type { ForwardRegistry } from './registry.js';

export abstract class ListeningForward<Spec extends ListenSpec> {
  private listener: BoundListener | undefined;

  constructor(
    readonly spec: Spec,
    protected readonly gate: LinkGate,
    protected readonly registry: ForwardRegistry,
    protected readonly warn: (text: string) => void,
  ) {}

  /** Binds the listener; rejects with a one-line reason. */
  async start(family: AddressFamily): Promise<void> {
    this.listener = await bindListener(this.spec, family, (sock) => this.accept(sock));
  }

  close(): void {
    if (this.listener) closeListener(this.listener);
    this.listener = undefined;
  }

  protected abstract accept(sock: Socket): void;
}
