// The least a Node program can do on the keystroke path: take what the terminal sends and
// write it back, through the same stream machinery every Node terminal client uses
// (process.stdin 'data', process.stdout.write). The echo bench runs it and `cat` through
// the same pty: the difference is what Node's event loop and streams cost per hop, with
// no SSH, no crypto and no stayssh code at all. stayssh makes two such hops per keystroke
// (terminal -> socket, socket -> terminal).
process.stdin.setRawMode(true);
process.stdin.on('data', (keys: Buffer) => {
  process.stdout.write(keys);
});
