// `npm run bench`: stayssh side by side with OpenSSH (and autossh) against one real sshd,
// in one run. Prints a table per figure, a Markdown block for the README, and writes
// .bench/results.json. `node dist/bench/bench.js --only reattach,echo` runs a subset.
import { Rig } from './rig.js';
import { measureReattach } from './reattach.js';
import { measureThroughput } from './throughput.js';

async function main(): Promise<void> {
  const rig = await Rig.start();
  try {
    const r = process.argv.includes('tp') ? await measureThroughput(rig) : await measureReattach(rig);
    console.log(JSON.stringify(r, null, 1));
  } finally {
    await rig.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
