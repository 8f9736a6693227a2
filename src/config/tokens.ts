/**
 * ssh_config TOKENS (`%h`, `%p`...), `${ENV}` references and leading `~`, expanded the way
 * OpenSSH's percent_expand(), dollar_expand() and tilde_expand_filename() do.
 */

/** Thrown with a one-line reason; the caller adds the file:line of the setting. */
export class ExpansionError extends Error {}

/** Replaces `%x` tokens from `values` (keys are single letters); `%%` is a literal '%'. */
export function expandTokens(template: string, values: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const key = template[++i];
    if (key === undefined) throw new ExpansionError(`"${template}": '%' at end of string`);
    if (key === '%') {
      out += '%';
      continue;
    }
    const value = values[key];
    if (value === undefined) throw new ExpansionError(`"${template}": unknown token %${key}`);
    out += value;
  }
  return out;
}

/** Replaces `${NAME}`; an unset variable is an error, as in OpenSSH. */
export function expandEnv(template: string, env: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ExpansionError(`"${template}": bad variable name "${name}"`);
    const value = env[name];
    if (value === undefined) throw new ExpansionError(`"${template}": environment variable ${name} is not set`);
    return value;
  });
}

/**
 * `~` and `~/x` become the home directory; `~user/x` only for the local user (stayssh
 * does not look up other accounts' home directories), other forms are left alone.
 */
export function expandTilde(path: string, homeDir: string, localUser: string): string {
  if (path === '~' || path === `~${localUser}`) return homeDir;
  if (path.startsWith('~/')) return homeDir.replace(/\/$/, '') + path.slice(1);
  if (path.startsWith(`~${localUser}/`)) return homeDir.replace(/\/$/, '') + path.slice(1 + localUser.length);
  return path;
}
