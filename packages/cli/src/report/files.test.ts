import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeOutputAtomically } from './files.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'nesslab-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeOutputAtomically', () => {
  it('writes every file, with subfolders and missing parents created', async () => {
    const out = join(root, 'deep', 'er', 'run-1');
    await writeOutputAtomically(out, {
      'summary.json': '{"ok":true}',
      'plots/sigma.svg': '<svg/>',
      'raw/a/b.bin': new Uint8Array([1, 2, 3]),
    });
    expect(await readFile(join(out, 'summary.json'), 'utf8')).toBe('{"ok":true}');
    expect(await readFile(join(out, 'plots', 'sigma.svg'), 'utf8')).toBe('<svg/>');
    expect([...(await readFile(join(out, 'raw', 'a', 'b.bin')))]).toEqual([1, 2, 3]);
    expect(await readdir(join(root, 'deep', 'er'))).toEqual(['run-1']); // no temp folder left
  });

  it('replaces an existing folder as a whole', async () => {
    const out = join(root, 'out');
    await mkdir(join(out, 'old-sub'), { recursive: true });
    await writeFile(join(out, 'stale.txt'), 'stale');
    await writeOutputAtomically(out, { 'fresh.txt': 'fresh' });
    expect((await readdir(out)).sort()).toEqual(['fresh.txt']);
    expect(await readdir(root)).toEqual(['out']);
  });

  it('leaves nothing behind when a content getter throws', async () => {
    const out = join(root, 'out');
    const files = { 'a.txt': 'a' } as Record<string, string>;
    Object.defineProperty(files, 'b.txt', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    await expect(writeOutputAtomically(out, files)).rejects.toThrow('boom');
    expect(await readdir(root)).toEqual([]);
  });

  it.each(['../escape.txt', '/abs.txt', 'a//b', './x', 'nul\0byte', ''])('rejects the invalid name %j and cleans up', async (name) => {
    const out = join(root, 'out');
    await expect(writeOutputAtomically(out, { 'ok.txt': 'ok', [name]: 'x' })).rejects.toThrow();
    expect(await readdir(root)).toEqual([]);
  });

  it('keeps an existing folder untouched when the new contents fail', async () => {
    const out = join(root, 'out');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'keep');
    // 'x' as a file and as a folder cannot both exist
    await expect(writeOutputAtomically(out, { x: '1', 'x/y': '2' })).rejects.toThrow();
    expect(await readdir(root)).toEqual(['out']);
    expect(await readdir(out)).toEqual(['keep.txt']);
  });

  it('refuses to replace a plain file', async () => {
    const out = join(root, 'out');
    await writeFile(out, 'a file');
    await expect(writeOutputAtomically(out, { 'a.txt': 'a' })).rejects.toThrow(/not a folder/);
    expect(await readdir(root)).toEqual(['out']);
    expect(await readFile(out, 'utf8')).toBe('a file');
  });
});
