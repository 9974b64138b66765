// The table of settled transactions' keys: entries expire in insertion order,
// one timer sweeps them, re-adding a key restarts its time.
import { describe, expect, it } from 'vitest';
import { LingerTable } from '../../../services/sip-core/sip/transaction/linger-table';
import { until } from './helpers/sip-peer';

describe('LingerTable', () => {
  it('forgets keys after their duration, in order, and re-adding restarts a key', async () => {
    const expired: string[] = [];
    const table = new LingerTable(60, (key) => expired.push(key));
    const started = Date.now();
    table.add('a', { kind: 'server-accepted' });
    table.add('b', { kind: 'client-accepted' });
    table.add('a', { kind: 'server-completed' });
    expect(table.size).toBe(2);
    expect(table.get('a')?.kind).toBe('server-completed');
    await until(() => expired.length === 2, 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(expired).toEqual(['b', 'a']);
    expect(table.size).toBe(0);
    expect(table.has('a')).toBe(false);
  });

  it('drops everything, timer included, on clear', async () => {
    const expired: string[] = [];
    const table = new LingerTable(30, (key) => expired.push(key));
    table.add('a', { kind: 'server-accepted' });
    table.clear();
    await new Promise((r) => setTimeout(r, 120));
    expect(expired).toEqual([]);
    expect(table.size).toBe(0);
  });
});
