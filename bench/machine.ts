// What the figures were measured on: a benchmark without its machine is not a figure.
import { execFile } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  kernel: string;
  memoryGiB: number;
  node: string;
  ssh: string;
  sshd: string;
  tmux: string;
  autossh: string;
  mosh: string;
  /** 1-minute load average when the bench started (a noise indicator on shared boxes). */
  loadAtStart: number;
}

/** First line of a tool's version output (stdout or stderr), or 'n/a' when absent. */
function versionOf(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5_000 }, (_err, stdout, stderr) => {
      const line = `${stdout}\n${stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '');
      resolve(line ?? 'n/a');
    });
  });
}

export async function describeMachine(): Promise<Machine> {
  const [ssh, sshd, tmux, autossh, mosh] = await Promise.all([
    versionOf('ssh', ['-V']),
    // sshd has no version flag; an unknown one makes it print its usage with the version.
    versionOf('/usr/sbin/sshd', ['-V']),
    versionOf('tmux', ['-V']),
    versionOf('autossh', ['-V']),
    versionOf('mosh', ['--version']),
  ]);
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    kernel: release(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ssh,
    sshd: sshd.startsWith('OpenSSH') ? sshd : ssh.split(',')[0] ?? 'n/a',
    tmux,
    autossh,
    mosh,
    loadAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
