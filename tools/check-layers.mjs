#!/usr/bin/env node
// The layer check (`npm run lint`, first step of `npm test`): every workspace package's imports follow its Nx scope tag.
// Plain Node, no dependencies: it reads each package's `nx.tags` from its package.json (the tags Nx shows in
// `nx show project <name>`), scans every source file under its src/ (tests included) for import / export … from /
// import() / require() / require.resolve() specifiers, and reports, one line each:
//   - an import of ours (`@nesslab/<name>`, subpaths too) that the rules below forbid, and the same for an
//     `@nesslab/*` entry in the package's package.json dependencies;
//   - an `@nesslab/*` import not declared in the package's dependencies, or naming no workspace package, or a
//     subpath the target's package.json "exports" does not offer;
//   - a relative (or absolute) import that leaves the package's folder.
// Usage: node tools/check-layers.mjs [workspace root, default: this repository]. Exit 0 clean, 1 violations, 2 error.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, resolve, relative, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// THE RULES, in one place: which scopes a package of each scope may import. A scope missing here is an error;
// nothing may import scope:cli or scope:tools. Each workspace package carries exactly one scope tag.
export const RULES = {
  'scope:kernel': [], //                                               the kernel depends on nothing of ours
  'scope:plugin': ['scope:kernel'], //                                 samplers, optimizers, landscapes, observers
  // packaged scenarios; they import report for their figures and claims (report never imports scenarios)
  'scope:scenarios': ['scope:kernel', 'scope:plugin', 'scope:report'],
  'scope:report': ['scope:kernel', 'scope:plugin'], //                 claims table, atomic output, progress, figures
  'scope:cli': ['scope:kernel', 'scope:plugin', 'scope:scenarios', 'scope:report'], // the command: every layer
  'scope:tools': ['scope:kernel', 'scope:plugin', 'scope:scenarios', 'scope:report'], // build, bench, generator
};
const OURS = '@nesslab/';
const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;
const DEP_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

// ---------------------------------------------------------------------------------------------------------------
// A small JavaScript / TypeScript tokenizer: enough to skip comments, strings, template text and regex literals,
// so that `import` in a comment or a string (code written by a test) is not taken for an import.
const REGEX_AFTER = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
  'extends',
]);
const ID_START_U = /[\p{ID_Start}$_#]/u;
const ID_PART_U = /[\p{ID_Continue}$\u200c\u200d]/u;
// Character codes (charCodeAt past the end is NaN, which every test below rejects).
const isAlpha = (c) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isDigit = (c) => c >= 48 && c <= 57;
const isIdStart = (c) =>
  isAlpha(c) ||
  c === 95 /* _ */ ||
  c === 36 /* $ */ ||
  c === 35 /* # */ ||
  c === 92 /* \ */ ||
  (c > 127 && ID_START_U.test(String.fromCharCode(c)));
const isIdPart = (c) =>
  isAlpha(c) || isDigit(c) || c === 95 || c === 36 || c === 92 || (c > 127 && ID_PART_U.test(String.fromCharCode(c)));
const isSpace = (c) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
const SLASH = 47,
  STAR = 42,
  NL = 10,
  BACKSLASH = 92,
  BACKTICK = 96,
  DOLLAR = 36,
  LBRACE = 123,
  RBRACE = 125;
const ID = 1,
  STR = 2,
  NUM = 3,
  TPL = 4,
  REGEX = 5,
  PUNCT = 6; // token kinds; a punctuator's `code` is its character
const SUBST = 0; // the code of the punctuator `${`

// Tokens in parallel arrays (no object per token): kind, start, end (a string's: inside its quotes), code. The
// arrays are reused by the next call.
let cap = 1 << 14;
let kind = new Uint8Array(cap),
  start = new Int32Array(cap),
  end = new Int32Array(cap),
  code = new Uint16Array(cap);
export function tokenize(src) {
  const n = src.length;
  let count = 0;
  const push = (k, s, e, c) => {
    if (count === cap) {
      cap *= 2;
      const grow = (a, A) => {
        const b = new A(cap);
        b.set(a);
        return b;
      };
      kind = grow(kind, Uint8Array);
      start = grow(start, Int32Array);
      end = grow(end, Int32Array);
      code = grow(code, Uint16Array);
    }
    kind[count] = k;
    start[count] = s;
    end[count] = e;
    code[count] = c;
    count++;
  };
  const braces = []; // true for a template substitution `${`, false for a code brace
  const at = (k) => src.charCodeAt(k);
  let i = 0;
  const regexAllowed = () => {
    if (count === 0) return true;
    const k = kind[count - 1];
    if (k === ID) return REGEX_AFTER.has(src.slice(start[count - 1], end[count - 1]));
    if (k === PUNCT) {
      const c = code[count - 1];
      return !(c === 41 /* ) */ || c === 93 /* ] */ || c === RBRACE);
    }
    return false; // after a string, number, template or regex
  };
  const template = (pos) => {
    // i is just past a backtick or a substitution's closing brace
    while (i < n) {
      const c = at(i);
      if (c === BACKSLASH) i += 2;
      else if (c === BACKTICK) {
        i++;
        push(TPL, pos, i, 0);
        return;
      } else if (c === DOLLAR && at(i + 1) === LBRACE) {
        i += 2;
        braces.push(true);
        push(PUNCT, pos, i, SUBST);
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = at(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === SLASH && at(i + 1) === SLASH) {
      const e = src.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === SLASH && at(i + 1) === STAR) {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    const pos = i;
    if (c === 34 || c === 39) {
      // a string ends at its quote, or (unterminated) at the line's end
      i++;
      while (i < n && at(i) !== c && at(i) !== NL) i += at(i) === BACKSLASH ? 2 : 1;
      push(STR, pos + 1, Math.min(i, n), 0);
      i++;
      continue;
    }
    if (c === BACKTICK) {
      i++;
      template(pos);
      continue;
    }
    if (c === RBRACE && braces[braces.length - 1] === true) {
      braces.pop();
      i++;
      template(pos);
      continue;
    }
    if (isIdStart(c)) {
      i++;
      while (i < n && isIdPart(at(i))) i++;
      push(ID, pos, i, 0);
      continue;
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(at(i + 1)))) {
      // 1, 1.5e-7, 0x1f, 1_000n
      const hex = c === 48 && (at(i + 1) === 120 || at(i + 1) === 88);
      i++;
      while (i < n) {
        const d = at(i);
        if (isIdPart(d) || d === 46 || ((d === 43 || d === 45) && !hex && (at(i - 1) === 101 || at(i - 1) === 69))) i++;
        else break;
      }
      push(NUM, pos, i, 0);
      continue;
    }
    if (c === SLASH && regexAllowed()) {
      i++;
      let cls = false;
      while (i < n && at(i) !== NL) {
        const d = at(i);
        if (d === BACKSLASH) {
          i += 2;
          continue;
        }
        if (d === 91 /* [ */) cls = true;
        else if (d === 93 /* ] */) cls = false;
        else if (d === SLASH && !cls) break;
        i++;
      }
      i++;
      while (i < n && isIdPart(at(i))) i++;
      push(REGEX, pos, i, 0);
      continue;
    }
    if (c === LBRACE) braces.push(false);
    else if (c === RBRACE) braces.pop();
    i++;
    push(PUNCT, pos, i, c);
  }
  return { src, count, kind, start, end, code };
}

/** The module specifiers a source file names, each with its 1-based line (the line of its import / export / require). */
export function importsOf(src) {
  const { count, kind, start, end, code } = tokenize(src);
  const found = [];
  const word = (k, w) => k < count && kind[k] === ID && end[k] - start[k] === w.length && src.startsWith(w, start[k]);
  const str = (k) => k < count && kind[k] === STR;
  const punct = (k, ch) => k >= 0 && k < count && kind[k] === PUNCT && code[k] === ch.charCodeAt(0);
  let at = 0; // the statement's keyword
  const add = (k) => {
    const raw = src.slice(start[k], end[k]);
    found.push({ spec: raw.includes('\\') ? raw.replace(/\\([\s\S]?)/g, '$1') : raw, pos: start[at] });
  };
  const fromAfter = (k, limit) => {
    // `… from 'x'` within the next tokens of this statement
    for (let j = k; j < count && j < k + limit; j++) {
      if (word(j, 'from') && str(j + 1)) return add(j + 1);
      if (kind[j] === STR || punct(j, ';') || punct(j, '=') || punct(j, '(') || word(j, 'import') || word(j, 'export'))
        return;
    }
  };
  for (let k = 0; k < count; k++) {
    if (kind[k] !== ID || punct(k - 1, '.')) continue;
    at = k;
    if (word(k, 'import')) {
      if (punct(k + 1, '(') && str(k + 2))
        add(k + 2); // import('x'), typeof import('x')
      else if (
        punct(k + 1, '.') &&
        word(k + 2, 'meta') &&
        punct(k + 3, '.') &&
        word(k + 4, 'resolve') &&
        punct(k + 5, '(') &&
        str(k + 6)
      )
        add(k + 6);
      else if (str(k + 1))
        add(k + 1); // import 'x'
      else if (!punct(k + 1, '.') && !punct(k + 1, ':')) fromAfter(k + 1, 400); // import … from 'x'
    } else if (word(k, 'export')) {
      const m = word(k + 1, 'type') ? k + 2 : k + 1;
      if (punct(m, '*'))
        fromAfter(m + 1, 6); // export * [as ns] from 'x'
      else if (punct(m, '{')) {
        let j = m + 1;
        while (j < count && !punct(j, '}')) j++;
        if (word(j + 1, 'from') && str(j + 2)) add(j + 2); // export { a } from 'x'
      }
    } else if (word(k, 'require')) {
      if (punct(k + 1, '(') && str(k + 2)) add(k + 2);
      else if (punct(k + 1, '.') && word(k + 2, 'resolve') && punct(k + 3, '(') && str(k + 4)) add(k + 4);
    }
  }
  const lineStarts = [0];
  for (let p = src.indexOf('\n'); p >= 0; p = src.indexOf('\n', p + 1)) lineStarts.push(p + 1);
  return found.map(({ spec, pos }) => {
    let lo = 0,
      hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { spec, line: lo + 1 };
  });
}

// ---------------------------------------------------------------------------------------------------------------
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The workspace packages named by the root package.json's "workspaces" (`dir` or `dir/*` entries). */
function workspacePackages(root) {
  const pkg = readJson(join(root, 'package.json'));
  const patterns = Array.isArray(pkg.workspaces) ? pkg.workspaces : (pkg.workspaces?.packages ?? []);
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const e of readdirSync(parent, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)))
        if (e.isDirectory()) dirs.push(join(parent, e.name));
    } else if (pattern.includes('*'))
      throw new Error(`workspace pattern ${pattern}: only "dir" and "dir/*" are supported`);
    else dirs.push(join(root, pattern));
  }
  return dirs
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((dir) => {
      const json = readJson(join(dir, 'package.json'));
      const project = existsSync(join(dir, 'project.json')) ? readJson(join(dir, 'project.json')) : {};
      const tags = [...(json.nx?.tags ?? []), ...(project.tags ?? [])];
      const deps = new Set(DEP_FIELDS.flatMap((f) => Object.keys(json[f] ?? {})));
      return { dir, name: json.name, json, scopes: [...new Set(tags.filter((t) => t.startsWith('scope:')))], deps };
    });
}

function sourceFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.isFile() && SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

/** Whether `sub` ('' or 'testing') is offered by a package.json "exports" (absent: anything is). */
function exported(exportsField, sub) {
  if (exportsField === undefined) return true;
  if (typeof exportsField === 'string' || Array.isArray(exportsField)) return sub === '';
  const keys = Object.keys(exportsField);
  if (!keys.every((k) => k.startsWith('.'))) return sub === ''; // a conditions object for "."
  const want = sub === '' ? '.' : `./${sub}`;
  return keys.some((k) => {
    if (exportsField[k] === null) return false;
    const star = k.indexOf('*');
    return star < 0
      ? k === want
      : want.startsWith(k.slice(0, star)) && want.endsWith(k.slice(star + 1)) && want.length >= k.length - 1;
  });
}

export function checkLayers(root) {
  const packages = workspacePackages(root);
  const byName = new Map(packages.map((p) => [p.name, p]));
  const rel = (p) => relative(root, p).split(sep).join('/');
  const violations = [];
  let files = 0,
    checked = 0;
  const scopeOf = (p) => (p.scopes.length === 1 && RULES[p.scopes[0]] ? p.scopes[0] : undefined);
  for (const p of packages) {
    if (!scopeOf(p))
      violations.push(
        `${rel(join(p.dir, 'package.json'))}: ${p.name} needs exactly one scope tag in "nx": { "tags": [...] }, one of ${Object.keys(RULES).join(', ')} (has ${p.scopes.join(', ') || 'none'})`,
      );
  }
  const allowed = (from, to) => {
    const a = scopeOf(from),
      b = scopeOf(to);
    return a !== undefined && b !== undefined && RULES[a].includes(b);
  };
  const describe = (p) => `${p.name} (${p.scopes.join(', ') || 'no scope'})`;
  for (const p of packages) {
    const pj = rel(join(p.dir, 'package.json'));
    for (const field of DEP_FIELDS) {
      for (const dep of Object.keys(p.json[field] ?? {})) {
        if (!dep.startsWith(OURS) || dep === p.name) continue;
        const target = byName.get(dep);
        if (!target) violations.push(`${pj}: ${p.name} ${field} names ${dep}, which is no workspace package`);
        else if (scopeOf(p) && scopeOf(target) && !allowed(p, target))
          violations.push(`${pj}: ${describe(p)} may not depend on ${dep} (${target.scopes.join(', ')}) (${field})`);
      }
    }
    const pkgRoot = p.dir + sep;
    for (const file of sourceFiles(join(p.dir, 'src'))) {
      files++;
      const where = (line) => `${rel(file)}:${line}`;
      for (const { spec, line } of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.') || spec.startsWith('/')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(pkgRoot))
            violations.push(
              `${where(line)}: ${p.name} may not import ${spec}: it leaves ${rel(p.dir)}/ (import a package by its name)`,
            );
          continue;
        }
        if (!spec.startsWith(OURS)) continue;
        checked++;
        const [name, sub] = [spec.split('/').slice(0, 2).join('/'), spec.split('/').slice(2).join('/')];
        const target = byName.get(name);
        if (!target) {
          violations.push(`${where(line)}: ${p.name} may not import ${spec}: ${name} is no workspace package`);
          continue;
        }
        if (!exported(target.json.exports, sub))
          violations.push(
            `${where(line)}: ${p.name} may not import ${spec}: ${name}'s package.json "exports" has no "./${sub}"`,
          );
        if (target === p) continue; // a package may name itself
        if (scopeOf(p) && scopeOf(target) && !allowed(p, target))
          violations.push(`${where(line)}: ${describe(p)} may not import ${spec} (${target.scopes.join(', ')})`);
        else if (!p.deps.has(name))
          violations.push(
            `${where(line)}: ${p.name} imports ${spec}, but ${pj} does not declare ${name} in its dependencies`,
          );
      }
    }
  }
  return { packages: packages.length, files, checked, violations };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  let result;
  try {
    if (!statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
    result = checkLayers(root);
  } catch (e) {
    console.error(`check-layers: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const { packages, files, checked, violations } = result;
  for (const v of violations) console.error(v);
  const ms = Math.round(performance.now() - started);
  if (violations.length) {
    console.error(
      `check-layers: ${violations.length} violation${violations.length === 1 ? '' : 's'} of the layer rules (tools/check-layers.mjs, RULES)`,
    );
    process.exit(1);
  }
  console.log(
    `check-layers: ok, ${packages} packages, ${files} files, ${checked} imports of @nesslab/* within the layer rules (${ms} ms)`,
  );
}
