import { describe, expect, it } from 'vitest';
import { assemble, simulate, type LiveUpdate } from '@nesslab/kernel';
import { toyModule, toySpec } from '@nesslab/kernel/testing';
import { observersModule } from './index.ts';
import type { MomentsResult } from './moments/moments.ts';

// The live view (Observer.live through simulate's onLive): values merged over the chains finished from chain 0 on,
// read-only, so the result is the same bits with or without it, and the last update is the final result's number.
const container = assemble(toyModule, observersModule);
const spec = { ...toySpec, observers: [{ name: 'moments' }, { name: 'circulation' }] };

describe('live values', () => {
  it('grow with the finished chains, end at the final result, and leave the result unchanged', async () => {
    const updates: LiveUpdate[] = [];
    const watched = await simulate(container, spec, { groups: 5, onLive: (u) => updates.push(structuredClone(u)) });
    const plain = await simulate(container, spec, { groups: 5 });
    expect(JSON.stringify(watched)).toBe(JSON.stringify(plain));
    expect(updates.length).toBeGreaterThan(0);
    const chains = updates.map((u) => u.chains);
    expect(chains).toEqual([...chains].sort((a, b) => a - b));
    expect(new Set(chains).size).toBe(chains.length);
    const last = updates[updates.length - 1]!;
    expect(last.chains).toBe(toySpec.chains);
    const cov = (plain.observers.moments as MomentsResult).covariance;
    expect(last.values.moments!['tr Σ']).toBe(cov[0]![0]! + cov[1]![1]!);
    expect(last.values.moments!['Σ₁₁']).toBe(cov[0]![0]!);
    expect(Number.isFinite(last.values.circulation!['‖C‖'])).toBe(true);
  });
});
