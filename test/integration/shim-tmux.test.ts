// The shim for real with tmux, under dash and under bash as the `sh` that runs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attachCommand, killCommand, listCommand, probeCommand, pruneCommand } from '../../src/remote/shim.js';
import type { ShimReport } from '../../src/remote/types.js';
import { ShimWorld } from '../harness/shim-world.js';
import { waitFor } from '../harness/wait-for.js';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';

/** A listening unix socket at `path`: what sshd makes for a forwarded agent. */
function listenUnix(path: string): Promise<Server & { path: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(path, () => resolve(Object.assign(server, { path })));
  });
}

type Session = Extract<ShimReport, { t: 'session' }>;

for (const interpreter of ['dash', 'bash']) {
  describe(`shim + tmux under ${interpreter}`, () => {
    let w: ShimWorld;
    const attach = (name: string, create = true, command?: string) =>
      attachCommand({ name, mux: 'tmux', create, command, env: { LANG: 'C.UTF-8' }, interpreter });
    const list = (): Session[] =>
      w.exec(listCommand('auto', { interpreter })).reports.filter((r): r is Session => r.t === 'session');
    const session = (name: string) => list().find((s) => s.name === name);
    /** Creates session `name` and leaves it detached, as a client whose link died does. */
    async function createDetached(name: string, command?: string): Promise<void> {
      const t = w.terminal(attach(name, true, command));
      await t.report('attached');
      // `attached` is reported just before the session is created: wait for it to exist.
      await waitFor(() => session(name)?.state === 'attached', { what: `${name} attached` });
      t.kill();
      await waitFor(() => session(name)?.state === 'detached', { what: `${name} detached` });
    }

    before(() => {
      w = new ShimWorld();
    });
    after(() => w.close());

    test('probe names tmux and its version', () => {
      const r = w.exec(probeCommand({ interpreter }));
      assert.equal(r.status, 0, r.stderr);
      const p = r.reports[0];
      assert.equal(p?.t, 'probe');
      assert.match(p.t === 'probe' ? (p.tmux ?? '') : '', /^\d+\.\d+/);
    });

    test('create, type, detach by losing the terminal, reattach, exit 7', async () => {
      const t1 = w.terminal(attach('main'));
      const a = await t1.report('attached');
      assert.deepEqual(a, { t: 'attached', name: 'main', mux: 'tmux', created: true, others: 0 });
      t1.type('echo mark-$((6*7)) "tmux=[${TMUX-unset}]" "pane=[${TMUX_PANE-unset}]" "lang=$LANG"', 'Enter');
      await t1.see('mark-42 tmux=[unset] pane=[unset] lang=C.UTF-8');
      // No status line: the bottom row of the terminal is the shell's, not tmux's.
      assert.doesNotMatch(t1.screen(), /\[main\]|0:sh\*/);
      // No prefix key: C-b and the next key reach the program untouched.
      t1.type('cat -v', 'Enter');
      t1.type('', 'C-b', 'd', 'C-b', '%', 'Enter');
      await t1.see('^Bd^B%');
      t1.type('', 'C-d');

      const listed = await waitFor(() => session('main')?.state === 'attached' && session('main'), { what: 'main attached' });
      assert.equal(listed.mux, 'tmux');
      assert.equal(listed.command, '');
      assert.ok(Math.abs(listed.created - Date.now() / 1000) < 60);

      t1.kill(); // the link dies: the pty hangs up on the shim and its tmux client
      await waitFor(() => session('main')?.state === 'detached', { what: 'main detached' });

      const t2 = w.terminal(attach('main', false));
      assert.deepEqual(await t2.report('attached'), { ...a, created: false });
      await t2.see('mark-42'); // earlier output redrawn by the session
      t2.type('exit 7', 'Enter');
      assert.deepEqual(await t2.report('exit'), { t: 'exit', status: 7 });
      assert.equal(w.hasSessionDir('main'), false);
      assert.equal(session('main'), undefined);
    });

    test('a second attach takes the session over; a first attach counts the other detached sessions, a re-attach does not', async () => {
      await createDetached('idle');

      const t1 = w.terminal(attach('busy'));
      assert.equal((await t1.report('attached')).others, 1);
      await waitFor(() => session('busy')?.state === 'attached', { what: 'busy created' });
      // A run's first attach (CREATE=1) of an existing session counts the others too...
      const t2 = w.terminal(attach('busy'));
      assert.deepEqual(await t2.report('attached'), { t: 'attached', name: 'busy', mux: 'tmux', created: false, others: 1 });
      assert.deepEqual(await t1.report('detached'), { t: 'detached' });
      // ...a re-attach (CREATE=0) does not: nobody reads it, and it costs two execs.
      const t3 = w.terminal(attach('busy', false));
      assert.deepEqual(await t3.report('attached'), { t: 'attached', name: 'busy', mux: 'tmux', created: false, others: 0 });
      assert.deepEqual(await t2.report('detached'), { t: 'detached' });

      // kill while attached: the attached shim sees the session vanish without a status
      assert.deepEqual(w.exec(killCommand('busy', { interpreter })).reports, [{ t: 'killed', name: 'busy' }]);
      assert.deepEqual(await t3.report('gone'), { t: 'gone' });
      assert.equal(w.hasSessionDir('busy'), false);
      assert.deepEqual(w.exec(killCommand('idle', { interpreter })).reports, [{ t: 'killed', name: 'idle' }]);

      const missing = w.exec(killCommand('idle', { interpreter }));
      assert.equal(missing.status, 2);
      assert.equal(missing.reports[0]?.t === 'error' && missing.reports[0].code, 'no-session');
      const noAttach = w.exec(attach('nothere', false));
      assert.equal(noAttach.reports[0]?.t === 'error' && noAttach.reports[0].code, 'no-session');
    });

    test('after `attached` the shim waits for the client; keys right behind its newline, ^C too, reach the session', async () => {
      await createDetached('held');
      const t2 = w.terminal(attach('held', false));
      await t2.waitReport('attached');
      // tmux would flush the report away if started now: it waits for the client's answer.
      assert.equal(session('held')?.state, 'detached');
      // The answer (nonce and go-ahead), and an interrupt kept from the outage in the same write.
      t2.type(t2.nonce, 'C-j', 'C-c');
      // The shell in the session got the interrupt: its tty shows ^C and the shell a new
      // prompt. (Typing on before that prompt races the shell: a line read just before it
      // handles SIGINT is discarded, as at any terminal.)
      await t2.see(/\^C\s*\n\$ ?$/m);
      t2.type('echo back-$((2+3))', 'Enter');
      await t2.see('back-5');
      t2.type('exit 4', 'Enter');
      assert.deepEqual(await t2.report('exit'), { t: 'exit', status: 4 });
    });

    test('three sessions created at the same moment, before any tmux server runs, all live', async () => {
      // Each shim starts the server or joins the one another just started; none may
      // disturb the others (emptying key tables on a server with clients crashed it).
      const fresh = new ShimWorld();
      try {
        const create = (name: string) => attachCommand({ name, mux: 'tmux', create: true, env: { LANG: 'C.UTF-8' }, interpreter });
        const terms = ['p', 'q', 'r'].map((name) => fresh.terminal(create(name)));
        await Promise.all(terms.map((t) => t.waitReport('attached')));
        for (const t of terms) t.acknowledge();
        await Promise.all(
          terms.map((t, i) => {
            t.type(`echo alive-${i}-$((6*7))`, 'Enter');
            return t.see(`alive-${i}-42`);
          }),
        );
        for (const t of terms) t.type('exit 6', 'Enter');
        for (const t of terms) assert.deepEqual(await t.report('exit'), { t: 'exit', status: 6 });
      } finally {
        fresh.close();
      }
    });

    test('a hostile command runs exactly as given and is listed exactly', async () => {
      const cmd = `echo "a'b" ; echo $HOME; printf '%s|' "\\\\" '\`x\`' "ü"; echo; read line; exit 3`;
      const t = w.terminal(attach('hostile', true, cmd));
      await t.report('attached');
      await t.see(`a'b\n${w.home}\n\\|\`x\`|ü|`).catch((e) => {
        throw new Error(`${e}\n${t.screen()}`);
      });
      const s = await waitFor(() => session('hostile'), { what: 'hostile listed' });
      assert.equal(s.command, cmd);
      t.type('', 'Enter');
      assert.deepEqual(await t.report('exit'), { t: 'exit', status: 3 });
    });

    test('names with dots stay distinct from underscores (tmux rewrites dots)', async () => {
      const a = w.terminal(attach('a.b'));
      await a.report('attached');
      const b = w.terminal(attach('a_b'));
      assert.equal((await b.report('attached')).created, true);
      await waitFor(() => list().filter((s) => s.name.startsWith('a')).length === 2, { what: 'both created' });
      const names = list().map((s) => s.name).sort();
      assert.deepEqual(names.filter((n) => n.startsWith('a')), ['a.b', 'a_b']);
      a.type('exit 1', 'Enter');
      b.type('exit 2', 'Enter');
      assert.deepEqual(await a.report('exit'), { t: 'exit', status: 1 });
      assert.deepEqual(await b.report('exit'), { t: 'exit', status: 2 });
    });

    test('an exit status recorded while no client was attached is collected on reattach', async () => {
      await createDetached('lonely', 'read line; exit 9');
      // The command ends while nobody is attached (as if during an outage).
      const r = w.exec(`tmux -L stayssh send-keys -t =lonely: Enter`);
      assert.equal(r.status, 0, r.stderr);
      await waitFor(() => !session('lonely'), { what: 'lonely gone from tmux' });
      assert.equal(w.hasSessionDir('lonely'), true, 'list keeps a fresh exit status');
      const back = w.exec(attach('lonely', false));
      assert.deepEqual(back.reports, [{ t: 'exit', status: 9 }]);
      assert.equal(back.status, 9);
      assert.equal(w.hasSessionDir('lonely'), false);
    });

    test('the agent link follows the newest attach, and points into the state dir once its attach ends', async () => {
      const agents = await Promise.all(['a', 'b'].map((n) => listenUnix(join(w.root, `agent-${interpreter}-${n}.sock`))));
      try {
        const [a, b] = agents.map((s) => s.path) as [string, string];
        const link = join(w.state, 'agent.sock');
        const target = () => readlinkSync(link);
        const withAgent = (sock: string, create: boolean) => `SSH_AUTH_SOCK=${sock} ${attach('agent', create)}`;

        const t1 = w.terminal(withAgent(a, true));
        await t1.report('attached');
        assert.equal(target(), a);
        // A second attach takes the session over and the link; the first one, ending, leaves it.
        const t2 = w.terminal(withAgent(b, false));
        await t2.report('attached');
        await t1.report('detached');
        assert.equal(target(), b);
        // The link dies: sshd removes socket b, a path someone else could make again.
        t2.kill();
        await waitFor(() => target() !== b, { what: 'the agent link re-pointed' });
        assert.equal(dirname(target()), w.state);
        assert.equal(existsSync(link), false, 'points at nothing');
        w.exec(killCommand('agent', { interpreter }));
      } finally {
        for (const s of agents) s.close();
      }
    });

    test('a first attach with an expiry ends the sessions idle longer, reports them, and each attach records its use', async () => {
      await createDetached('stale');
      const old = String(Math.floor(Date.now() / 1000) - 3_600);
      // The end of an attach, by a hang-up too, is its last use.
      const r = w.terminal(attach('recent'));
      await r.report('attached');
      await waitFor(() => session('recent')?.state === 'attached', { what: 'recent attached' });
      writeFileSync(join(w.sessionDir('recent'), 'used'), `${old}\n`);
      r.kill();
      const usedAfterHangUp = await waitFor(() => {
        const used = readFileSync(join(w.sessionDir('recent'), 'used'), 'utf8');
        return /^\d+\n$/.test(used) && used !== `${old}\n` && Number(used);
      }, { what: 'the hang-up recorded as a use' });
      assert.ok(Math.abs(usedAfterHangUp - Date.now() / 1000) < 60, String(usedAfterHangUp));
      for (const f of ['created', 'used']) writeFileSync(join(w.sessionDir('stale'), f), `${old}\n`);
      writeFileSync(join(w.sessionDir('recent'), 'created'), `${old}\n`);

      const first = (create: boolean) => attachCommand({ name: 'keeper', mux: 'tmux', create, env: {}, interpreter, expireIdleSeconds: 600 });
      const t = w.terminal(first(true));
      assert.deepEqual(await t.report('attached'), { t: 'attached', name: 'keeper', mux: 'tmux', created: true, others: 1, expired: ['stale'] });
      assert.equal(w.hasSessionDir('stale'), false);
      await waitFor(() => session('keeper')?.state === 'attached', { what: 'keeper attached' });
      assert.deepEqual(list().map((s) => `${s.name}:${s.state}`).sort(), ['keeper:attached', 'recent:detached']);
      t.type('exit 0', 'Enter');
      assert.deepEqual(await t.report('exit'), { t: 'exit', status: 0 });
      w.exec(killCommand('recent', { interpreter }));
    });

    test('prune ends the detached sessions created before the age given, and no attached one', async () => {
      await createDetached('aged');
      const t = w.terminal(attach('aged-busy'));
      await t.report('attached');
      await waitFor(() => session('aged-busy')?.state === 'attached', { what: 'aged-busy attached' });
      const old = `${Math.floor(Date.now() / 1000) - 7_200}\n`;
      for (const name of ['aged', 'aged-busy']) writeFileSync(join(w.sessionDir(name), 'created'), old);
      const r = w.exec(pruneCommand(3_600, { interpreter }));
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.reports, [{ t: 'killed', name: 'aged' }]);
      assert.equal(session('aged'), undefined);
      assert.equal(session('aged-busy')?.state, 'attached');
      t.type('exit 0', 'Enter');
      assert.deepEqual(await t.report('exit'), { t: 'exit', status: 0 });
    });

    test('bad names are refused by the shim itself', () => {
      const line = attach('ok').replace(/attach ok /, "attach 'a;b' ");
      const r = w.exec(line);
      assert.equal(r.reports[0]?.t === 'error' && r.reports[0].code, 'bad-name');
    });
  });
}
