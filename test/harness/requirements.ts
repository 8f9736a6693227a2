// One rule for a test that needs something this machine may lack, a system tool or root:
// nothing skips silently. Under CI a missing requirement FAILS the test, with one line
// naming it and the Debian package that provides it. Elsewhere a test may skip, with that
// same line as the reason, when it declares the requirement with needs().
//
//   describe('...', needs('root'), () => ...)   outside CI: skipped, saying what is missing
//   demand('sshd')                               throws MissingRequirement with that line
//
// Fixtures demand() what they use before they use it (startSshd demands sshd; run() and
// start() demand any tool of the table they are asked to run; loginPassword() demands
// root), so under CI, where needs() skips nothing, the test fails with the line instead of
// a stack trace. A test that runs a tool itself (spawnSync) demands it itself.
//
// Only root is declared with needs() here: a developer may well run the tests as another
// user. The tools are all checked before `npm test` starts (scripts/preflight.mjs, whose
// table of tools and packages this module reads), so a test run on its own that lacks
// one fails with the line, in CI or not.
import { join } from 'node:path';
import type { TestOptions } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Tool {
  name: string;
  package: string;
  paths?: string[];
  asRoot?: boolean;
}

/** scripts/preflight.mjs, as far as the tests use it. */
export interface PreflightModule {
  TOOLS: Tool[];
  ESSENTIAL_PACKAGES: string[];
  findTool(name: string, opts: { PATH?: string; paths?: string[] }): string | undefined;
  missingTools(opts: { PATH?: string; asRoot?: boolean }): Tool[];
  installCommand(tools: Tool[], opts?: { asRoot?: boolean }): string;
  preflight(opts: { PATH?: string; asRoot?: boolean }): string | undefined;
}

/** The checkout: tests run from dist/test/harness/, three levels below it. */
export const CHECKOUT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
export const PREFLIGHT_SCRIPT = join(CHECKOUT_DIR, 'scripts', 'preflight.mjs');
export const preflight = (await import(pathToFileURL(PREFLIGHT_SCRIPT).href)) as PreflightModule;

/** A tool of scripts/preflight.mjs's table (e.g. 'sshd', 'secret-tool'), or 'root'. */
export type Requirement = string;

/** A missing requirement: its message is the one line, and so is its stack (no trace). */
export class MissingRequirement extends Error {
  constructor(line: string) {
    super(line);
    this.name = 'MissingRequirement';
    this.stack = `${this.name}: ${line}`;
  }
}

/** True under CI (CI=true, as .ci/run's callers set it; any value but '', '0', 'false'). */
export function underCi(): boolean {
  const ci = process.env.CI ?? '';
  return ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function tool(name: string): Tool {
  const t = preflight.TOOLS.find((x) => x.name === name);
  if (!t) throw new Error(`requirements: ${name} is not in scripts/preflight.mjs's TOOLS (add it there with its Debian package)`);
  return t;
}

/** Whether `name` is a tool of the table (run() and start() demand those). */
export function isKnownTool(name: string): boolean {
  return preflight.TOOLS.some((t) => t.name === name);
}

const found = new Map<string, boolean>();

function present(t: Tool): boolean {
  let here = found.get(t.name);
  if (here === undefined) {
    here = preflight.findTool(t.name, { PATH: process.env.PATH ?? '', paths: t.paths }) !== undefined;
    found.set(t.name, here);
  }
  return here;
}

/**
 * What of `reqs` this machine lacks, as the one line, or undefined when nothing is:
 * "missing sshd, secret-tool: run 'bash .ci/run' or 'apt-get install openssh-server libsecret-tools'",
 * "missing root: run the tests as root (CI does)".
 */
export function missingLine(...reqs: Requirement[]): string | undefined {
  const wantRoot = reqs.includes('root') && !isRoot();
  const tools = [...new Set(reqs.filter((r) => r !== 'root'))].map(tool).filter((t) => !present(t));
  if (!wantRoot && tools.length === 0) return undefined;
  const names = [...(wantRoot ? ['root'] : []), ...tools.map((t) => t.name)].join(', ');
  const install = `'${preflight.installCommand(tools)}'`;
  if (!wantRoot) return `missing ${names}: run 'bash .ci/run' or ${install}`;
  if (tools.length === 0) return `missing ${names}: run the tests as root (CI does)`;
  return `missing ${names}: run the tests as root (CI does), after 'bash .ci/run' or ${install}`;
}

/** Throws MissingRequirement unless this machine has all of `reqs`. */
export function demand(...reqs: Requirement[]): void {
  const line = missingLine(...reqs);
  if (line !== undefined) throw new MissingRequirement(line);
}

/** Where tool `name` is (its table `paths` first, then PATH); MissingRequirement if nowhere. */
export function toolPath(name: string): string {
  demand(name);
  const t = tool(name);
  const path = preflight.findTool(name, { PATH: process.env.PATH ?? '', paths: t.paths });
  if (path === undefined) throw new MissingRequirement(missingLine(name) ?? `missing ${name}`);
  return path;
}

/**
 * Options for describe()/test()/it(): outside CI, skip with the one line when something
 * of `reqs` is missing. Under CI nothing is skipped: the test runs, and the demand() of
 * the fixture (or of the test) fails it with the same line.
 */
export function needs(...reqs: Requirement[]): TestOptions {
  const line = missingLine(...reqs);
  return line !== undefined && !underCi() ? { skip: line } : {};
}
