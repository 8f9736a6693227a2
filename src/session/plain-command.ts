/**
 * A command without a terminal over one SSH channel, as `ssh host cmd` runs it: stdin,
 * stdout and stderr relayed, the exit status returned (255 for a signal).
 *
 * This is the non-surviving path (used where stream mode cannot be): it dies with the link.
 */
import type { ClientChannel } from 'ssh2';
import type { Connection } from '../transport/connection.js';

export interface PlainCommandOptions {
  /** '' runs the login shell (ssh -T host). */
  command: string;
  env: Record<string, string>;
  /** -tt with a command and no local tty: a pty is still requested. */
  pty?: { term: string; cols: number; rows: number };
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface PlainCommandResult {
  code: number;
  signal?: string;
  linkLost?: string;
}

function open(conn: Connection, o: PlainCommandOptions): Promise<ClientChannel> {
  if (o.command !== '') return conn.exec(o.command, { env: o.env, pty: o.pty ?? false });
  return new Promise((resolve, reject) => {
    conn.client.shell(o.pty ? { term: o.pty.term, cols: o.pty.cols, rows: o.pty.rows } : false, { env: o.env }, (err, ch) =>
      err ? reject(err) : resolve(ch),
    );
  });
}

export async function runPlainCommand(conn: Connection, o: PlainCommandOptions): Promise<PlainCommandResult> {
  const channel = await open(conn, o);
  return new Promise((resolve) => {
    let code: number | undefined;
    let signal: string | undefined;
    const onStdin = (chunk: Buffer) => {
      if (!channel.write(chunk)) {
        o.stdin.pause();
        channel.once('drain', () => o.stdin.resume());
      }
    };
    o.stdin.on('data', onStdin);
    o.stdin.once('end', () => channel.end());
    channel.pipe(o.stdout, { end: false });
    channel.stderr.pipe(o.stderr, { end: false });
    channel.on('exit', (c: number | null, sig?: string) => {
      if (typeof c === 'number') code = c;
      if (sig) signal = sig;
    });
    const stop = conn.onClose((reason) => resolve({ code: 255, linkLost: reason }));
    channel.on('close', () => {
      stop();
      o.stdin.off('data', onStdin);
      o.stdin.pause();
      resolve(signal ? { code: 255, signal } : { code: code ?? 255 });
    });
  });
}
