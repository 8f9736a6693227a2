/* global process, console */
// A long command on a server, with a reconnect policy written as code:
//   - re-dial at once, then back off up to 30 s;
//   - outside working hours, give up instead (the command keeps running on the server;
//     resume it tomorrow with `stayssh --session NAME host`);
//   - tell the desktop when the link is back.
// Usage: node examples/reconnect-policy.mjs build1 'make test'
import { execFile } from 'node:child_process';
import { connect } from 'stayssh';

const [host = 'build1', ...words] = process.argv.slice(2);

const session = connect({
  host, // a name from ~/.ssh/config works, as with ssh
  command: words.join(' ') || 'make test',
  policy: ({ attempt }) => {
    const hour = new Date().getHours();
    if (hour < 8 || hour >= 19) return 'give-up';
    return attempt === 1 ? 0 : Math.min(30_000, 250 * 2 ** (attempt - 2));
  },
});

session.on('disconnected', (e) => console.error(`[stayssh] link lost: ${e.reason}`));
session.on('reconnected', (e) => {
  const text = `${host} is back after ${Math.round((e.downtimeMs ?? 0) / 1000)} s`;
  execFile('notify-send', ['stayssh', text], () => console.error(`[stayssh] ${text}`));
});
session.on('gave-up', () => console.error(`[stayssh] gave up; resume with: stayssh --session ${session.name} ${host}`));

process.exitCode = await session.exited;
