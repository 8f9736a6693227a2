/**
 * Has the multiplexer repaint the whole screen, status line row included. A reattach
 * repaints by itself; after doubt → alive on the same link nothing would. The pty's
 * pixel size is changed and put back: the multiplexer's client gets SIGWINCH and tmux
 * redraws the client on every resize message, while the character size, and so the
 * program inside, is left alone (the kernel signals only the pty's own foreground
 * group, the attach client, and tmux resizes the pane only when cols/rows change).
 * screen ignores a SIGWINCH that leaves cols/rows as they were, and one row less and
 * back loses what was on the bottom row: under screen the status line's row stays blank
 * until the program redraws it.
 */
import type { ClientChannel } from 'ssh2';

export function repaintScreen(channel: ClientChannel, size: { cols: number; rows: number }): void {
  channel.setWindow(size.rows, size.cols, 1, 1);
  channel.setWindow(size.rows, size.cols, 0, 0);
}
