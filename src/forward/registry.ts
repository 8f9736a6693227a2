/**
 * The forwarded connections open right now, for the `~#` escape and for cutting them all
 * when the link they ride on dies. Each entry knows how to close itself at both ends.
 */

export interface ForwardedConnection {
  /** What it is, as `~#` shows it (e.g. `-L 127.0.0.1:8080 -> web:80 from 127.0.0.1:51234`). */
  readonly label: string;
  /** 'waiting' while a connection that arrived during an outage waits for the link. */
  state: 'waiting' | 'open';
  /** Closes both ends now (the link died under it, or stayssh is leaving). */
  cut(): void;
}

export class ForwardRegistry {
  private seq = 0;
  private readonly open = new Map<number, ForwardedConnection>();

  /** Registers a connection; returns the function that forgets it (idempotent). */
  add(entry: ForwardedConnection): () => void {
    const id = ++this.seq;
    this.open.set(id, entry);
    return () => {
      this.open.delete(id);
    };
  }

  get size(): number {
    return this.open.size;
  }

  /** Lines for `~#`, like OpenSSH's channel list: one per connection, numbered. */
  describe(): string[] {
    return [...this.open.entries()].map(([id, e]) => `  #${id} ${e.label}${e.state === 'waiting' ? ' (waiting for the link)' : ''}`);
  }

  /** Cuts every open (not waiting) connection: their link is gone. */
  cutOpen(): void {
    for (const e of [...this.open.values()]) if (e.state === 'open') e.cut();
  }

  /** Cuts everything, waiting ones included: stayssh is leaving. */
  cutAll(): void {
    for (const e of [...this.open.values()]) e.cut();
  }
}
