// Reading a scenario file: every JSON mistake is one line with the file, line and column, whatever the input.
import { readFileSync, statSync } from 'node:fs';
import { ScenarioError, preview } from '@nesslab/kernel';

/** Scenario files are small: larger ones are refused before they are read (a 10 MB string is still read). */
export const MAX_SCENARIO_BYTES = 64 * 2 ** 20;

/** Reads and parses `path` as JSON; errors name the file (and line:column for syntax). */
export function loadJson(path: string): unknown {
  let text: string;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new ScenarioError(path, 'is a folder, not a JSON file');
    if (st.size > MAX_SCENARIO_BYTES)
      throw new ScenarioError(path, `is ${st.size} bytes; a scenario file may have at most ${MAX_SCENARIO_BYTES}`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseJson(text, path);
}

/** JSON.parse, with a syntax error located (`file:3:14: …`): V8's own messages often give no position. */
export function parseJson(text: string, name: string): unknown {
  if (text.charCodeAt(0) === 0xfeff)
    throw new ScenarioError(`${name}:1:1`, 'starts with a byte-order mark (BOM); save the file as UTF-8 without BOM');
  try {
    return JSON.parse(text);
  } catch {
    const { at, what } = locateJsonError(text);
    const { line, column } = lineColumn(text, at);
    throw new ScenarioError(`${name}:${line}:${column}`, `not valid JSON: ${what}`);
  }
}

function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1,
    start = 0;
  for (let i = 0; i < at && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  return { line, column: at - start + 1 };
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The first offending offset of `text` as JSON (RFC 8259), and what was expected there. Iterative (no recursion), so
 * 100 000-deep nesting is fine. Only called after JSON.parse failed.
 */
export function locateJsonError(text: string): { at: number; what: string } {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  const skip = () => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const found = () => (i >= text.length ? 'the end of the file' : `${preview(text.slice(i, i + 12), 20)}`);
  const fail = (expected: string) => ({ at: i, what: `expected ${expected}, found ${found()}` });
  const word = (w: string) => (text.startsWith(w, i) ? ((i += w.length), true) : false);
  // Parses one value; containers push and return, their contents follow in the main loop.
  const value = (): { at: number; what: string } | undefined => {
    skip();
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      return undefined;
    }
    if (c === '"') return string();
    if (word('true') || word('false') || word('null')) return undefined;
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) return fail('a number');
      i += m[0].length;
      return undefined;
    }
    if (text.startsWith('NaN', i) || text.startsWith('Infinity', i))
      return { at: i, what: `${text.startsWith('NaN', i) ? 'NaN' : 'Infinity'} is not JSON; numbers must be finite` };
    return fail('a value (object, array, string, number, true, false or null)');
  };
  const string = (): { at: number; what: string } | undefined => {
    const open = i++;
    while (i < text.length) {
      const k = text.charCodeAt(i);
      if (k === 0x22) {
        i++;
        return undefined;
      }
      if (k === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { at: i, what: 'bad \\u escape in a string' };
          i += 6;
          continue;
        }
        if (!e || !'"\\/bfnrt'.includes(e)) return { at: i, what: 'bad escape in a string' };
        i += 2;
        continue;
      }
      if (k < 0x20) return { at: i, what: 'a control character (or line break) inside a string' };
      i++;
    }
    return { at: open, what: 'a string that is never closed' };
  };
  let err = value();
  if (err) return err;
  let afterValue = stack.length === 0 ? true : false;
  let first = true;
  while (stack.length) {
    skip();
    const top = stack[stack.length - 1],
      close = top === '{' ? '}' : ']';
    if (text[i] === close && (first || afterValue)) {
      stack.pop();
      i++;
      afterValue = true;
      first = false;
      continue;
    }
    if (!first && !afterValue) return fail(top === '{' ? 'a property name in double quotes' : 'a value');
    if (afterValue && !first) {
      if (text[i] !== ',') return fail(`',' or '${close}'`);
      i++;
      skip();
      if (text[i] === close) return { at: i, what: `a trailing comma before '${close}' is not JSON` };
    }
    if (top === '{') {
      skip();
      if (text[i] !== '"') return fail('a property name in double quotes');
      err = string();
      if (err) return err;
      skip();
      if (text[i] !== ':') return fail("':' after the property name");
      i++;
    }
    const depth = stack.length;
    err = value();
    if (err) return err;
    first = stack.length > depth; // a new container opened: its first element comes next
    afterValue = !first;
  }
  skip();
  if (i < text.length) return fail('the end of the file after the JSON value');
  return { at: Math.max(0, text.length - 1), what: 'JSON.parse refused it' };
}
