// Finding and killing the processes a server left behind. sshd forks one process per
// connection and that child calls setsid(), so killing a process group is not enough;
// the remote user's tmux/screen servers daemonize and are children of nobody we know.
// We find them by walking /proc (parent links) and by an environment marker that the
// harness sshd sets for every session (sshd_config SetEnv), so close() leaves nothing.
import { readdirSync, readFileSync } from 'node:fs';

const tracked = new Set<number>();
let exitHookInstalled = false;

/** Remembers a pid to SIGKILL if the test process exits without cleaning up (last resort). */
export function trackPid(pid: number): void {
  tracked.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous; process.kill is. Not run on an external SIGKILL.
    process.on('exit', () => {
      for (const p of tracked) trySignal(p, 'SIGKILL');
    });
  }
}

export function untrackPid(pid: number): void {
  tracked.delete(pid);
}

interface ProcInfo {
  pid: number;
  ppid: number;
}

function listProcesses(): ProcInfo[] {
  const result: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(rest[1]);
      result.push({ pid: Number(name), ppid });
    } catch {
      // The process exited while we were listing: not ours to worry about.
    }
  }
  return result;
}

/** All descendants of `root` (children, grandchildren, ...), not including `root`. */
export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of listProcesses()) {
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Pids whose initial environment contains exactly `NAME=value` (readable: own or as root). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const out: number[] = [];
  for (const { pid } of listProcesses()) {
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (env.includes(needle)) out.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; treat it as dead.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone (ESRCH): fine.
  }
}
