// The one shell compactor: sh source written for people into the one-line transport
// form the client sends (docs/SERVER-SCRIPTS.md). Pure: text in, text out; the build step
// that uses it is compact-shell.mjs.
//
// Compacting = dropping comments and indentation, and replacing each newline by what it
// means to sh there: a separator (`;`) after a complete command, a plain space where sh
// reads the newline as mere line break (after `then`, `do`, `else`, `{`, `(`, `|`, `&&`,
// `||`, `&`, `;`, after `case WORD in`, `;;` and a case pattern's `)`). Reserved words
// count only where sh reads them as such (the first word of a command), so `echo done`
// ending a line still gets its `;`. What cannot be put on one line is refused with the
// file and line, never guessed at: a backslash, a backquote, a here-document, a quote or
// `$(...)` left open at the end of a line, `case` inside `$(...)`, a redirection without
// its target, `$'...'`.

export class CompactError extends Error {}

const SEPARATOR_OPS = new Set([';', ';;', '&', '&&', '||', '|', '(']);
const OPERATORS = [';;', '&&', '||', '>>', '<&', '>&', '<>', '>|', '<<', ';', '&', '|', '(', ')', '<', '>'];
const REDIRECTIONS = new Set(['<', '>', '>>', '<&', '>&', '<>', '>|']);
/** Reserved words after which sh expects a command: a newline there is a mere line break. */
const OPENERS = new Set(['if', 'then', 'else', 'elif', 'while', 'until', 'do', '{', '!']);
const CLOSERS = new Set(['fi', 'done', '}']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Splits one line of sh into tokens: operators, and words (`plain` when made of literal
 * characters only, so that it may be a reserved word). Stops at a comment. Quotes and
 * expansions must close on the line they open.
 */
function scanLine(line, where) {
  const fail = (what) => {
    throw new CompactError(`${where}: ${what}`);
  };
  const tokens = [];
  let word = null;
  const endWord = () => {
    if (word) tokens.push({ type: 'word', text: word.text, plain: word.plain });
    word = null;
  };
  const addToWord = (text, plain) => {
    if (!word) word = { text: '', plain: true };
    word.text += text;
    if (!plain) word.plain = false;
  };

  // Index just past the double-quoted string whose opening quote is at i-1.
  const skipDouble = (i) => {
    for (;;) {
      if (i >= line.length) fail('double quote not closed on its line');
      const c = line[i];
      if (c === '"') return i + 1;
      if (c === '`') fail('backquote (write $(...))');
      if (c === '$') i = skipDollar(i);
      else i++;
    }
  };
  // Index just past the expansion starting with the `$` at i.
  const skipDollar = (i) => {
    const next = line[i + 1];
    if (next === "'") fail("$'...' (dash and bash read it differently)");
    if (line.startsWith('$((', i)) return skipNested(i + 3, '(', ')', 2, 'arithmetic $((...))');
    if (next === '(') {
      const end = skipNested(i + 2, '(', ')', 1, 'command substitution $(...)');
      if (/(^|[\s;&|(])case(\s|$)/.test(line.slice(i + 2, end - 1))) fail('case inside $(...) (put it in a function)');
      return end;
    }
    if (next === '{') return skipNested(i + 2, '{', '}', 1, 'parameter expansion ${...}');
    if (next !== undefined && /[A-Za-z_]/.test(next)) {
      let j = i + 1;
      while (j < line.length && /[A-Za-z0-9_]/.test(line[j])) j++;
      return j;
    }
    if (next !== undefined && /[0-9#?$!@*-]/.test(next)) return i + 2;
    return i + 1; // a lone `$` is literal
  };
  // Index just past the `close` that balances an `open` already seen `depth` times.
  const skipNested = (i, open, close, depth, what) => {
    for (;;) {
      if (i >= line.length) fail(`${what} not closed on its line`);
      const c = line[i];
      if (c === "'") {
        const j = line.indexOf("'", i + 1);
        if (j < 0) fail('single quote not closed on its line');
        i = j + 1;
      } else if (c === '"') i = skipDouble(i + 1);
      else if (c === '`') fail('backquote (write $(...))');
      else if (c === '$') i = skipDollar(i);
      else if (c === '#' && open === '(' && /[\s;&|(]/.test(line[i - 1] ?? ' ')) fail(`comment inside ${what}`);
      else if (c === open) {
        depth++;
        i++;
      } else if (c === close) {
        depth--;
        i++;
        if (depth === 0) return i;
      } else i++;
    }
  };

  let i = 0;
  let end = line.length; // where the code ends: a comment, or the line's end
  while (i < line.length) {
    const c = line[i];
    if (c === '`') fail('backquote (write $(...))');
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !word) {
      end = i; // a comment: `#` starting a token
      break;
    }
    if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) fail('single quote not closed on its line');
      addToWord(line.slice(i, j + 1), false);
      i = j + 1;
      continue;
    }
    if (c === '"') {
      const j = skipDouble(i + 1);
      addToWord(line.slice(i, j), false);
      i = j;
      continue;
    }
    if (c === '$') {
      const j = skipDollar(i);
      addToWord(line.slice(i, j), j === i + 1);
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (op) {
      if (op === '<<') fail('here-document (the transport form is one line)');
      endWord();
      tokens.push({ type: 'op', text: op });
      i += op.length;
      continue;
    }
    addToWord(c, true);
    i++;
  }
  endWord();
  const code = line.slice(0, end).trim();
  // Quoted or not: the transport form travels inside single quotes.
  if (code.includes('\\')) fail('backslash (the transport form cannot carry one)');
  return { tokens, code };
}

/**
 * Turns sh source into its one-line transport form (see the top of this file). `name`
 * only labels errors. Throws CompactError for what cannot be put on one line safely.
 */
export function compactShell(source, name = 'script') {
  // Where sh is in the grammar: cmd (a command may start), arg (inside a simple command,
  // or after a compound command's end), case-word / case-in (after `case`), pattern (a
  // case pattern may start or goes on), for-name / for-in / for-words, redir (a
  // redirection's target comes next; `resume` is the state after it).
  let state = 'cmd';
  let resume = 'cmd';
  const stack = []; // open `case` and `(` subshells
  let out = '';
  let pendingJoin = null; // how the last code line joins the next: ';' or ' '
  const lines = source.split('\n');

  for (let n = 0; n < lines.length; n++) {
    const where = `${name}:${n + 1}`;
    const { tokens, code } = scanLine(lines[n], where);
    if (tokens.length === 0) continue;
    if (pendingJoin !== null) {
      // A line opening with `;;` needs no `;` before it (`a;;;` would be wrong).
      const join = tokens[0].type === 'op' && tokens[0].text === ';;' ? ' ' : pendingJoin;
      if (join === ';' && state !== 'pattern') state = 'cmd';
      out += join;
    }
    let breakAfter = false; // the line ends where sh takes a newline as a mere line break
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t];
      breakAfter = false;
      if (state === 'redir') {
        if (tok.type !== 'word') throw new CompactError(`${where}: redirection without a target`);
        state = resume;
        continue;
      }
      if (tok.type === 'op') {
        const op = tok.text;
        if (REDIRECTIONS.has(op)) {
          resume = state === 'cmd' ? 'cmd' : state === 'pattern' ? 'pattern' : 'arg';
          state = 'redir';
        } else if (op === ';;') {
          if (stack.at(-1) !== 'case') throw new CompactError(`${where}: ;; outside a case`);
          state = 'pattern';
          breakAfter = true;
        } else if (op === '(') {
          if (state === 'pattern') continue; // a pattern's optional opening parenthesis
          if (tokens[t + 1]?.text === ')') {
            t++; // `name()`: a function definition, its body comes next
            state = 'cmd';
            breakAfter = true;
            continue;
          }
          stack.push('(');
          state = 'cmd';
          breakAfter = true;
        } else if (op === ')') {
          if (state === 'pattern') {
            state = 'cmd'; // the pattern ends: the arm's commands follow
            breakAfter = true;
          } else if (stack.at(-1) === '(') {
            stack.pop();
            state = 'arg';
          } else throw new CompactError(`${where}: ) closes nothing`);
        } else {
          // ; & && || |
          if (state !== 'pattern' || op !== '|') state = 'cmd';
          breakAfter = SEPARATOR_OPS.has(op);
        }
        continue;
      }
      const w = tok.plain ? tok.text : null;
      switch (state) {
        case 'cmd':
          if (w !== null && OPENERS.has(w)) {
            breakAfter = true;
          } else if (w !== null && CLOSERS.has(w)) {
            state = 'arg';
          } else if (w === 'esac') {
            if (stack.pop() !== 'case') throw new CompactError(`${where}: esac closes no case`);
            state = 'arg';
          } else if (w === 'case') {
            state = 'case-word';
          } else if (w === 'for') {
            state = 'for-name';
          } else if (!ASSIGNMENT.test(tok.text)) {
            state = 'arg';
          }
          break;
        case 'case-word':
          state = 'case-in';
          break;
        case 'case-in':
          if (w !== 'in') throw new CompactError(`${where}: expected 'in' after case WORD`);
          stack.push('case');
          state = 'pattern';
          breakAfter = true;
          break;
        case 'pattern':
          if (w === 'esac') {
            stack.pop();
            state = 'arg';
          }
          break;
        case 'for-name':
          state = 'for-in';
          break;
        case 'for-in':
          if (w === 'in') state = 'for-words';
          else if (w === 'do') {
            state = 'cmd';
            breakAfter = true;
          } else throw new CompactError(`${where}: expected 'in' or 'do' after for NAME`);
          break;
        default: // arg, for-words: words go on
          break;
      }
    }
    if (state === 'redir') throw new CompactError(`${where}: redirection without a target at the end of the line`);
    if (state === 'case-word' || state === 'case-in') throw new CompactError(`${where}: write 'case WORD in' on one line`);
    out += code;
    pendingJoin = breakAfter || state === 'pattern' ? ' ' : ';';
  }
  if (stack.length > 0) throw new CompactError(`${name}: unclosed ${stack.at(-1) === 'case' ? 'case' : '('} at the end`);
  return out;
}
