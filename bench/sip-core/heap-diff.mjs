#!/usr/bin/env node
// What each dialog costs, from two V8 heap snapshots of sip-core (the
// benchmark writes them with --snapshot): live objects grouped by type and
// constructor, the difference divided by the number of dialogs added.
//
//   node --max-old-space-size=4096 bench/sip-core/heap-diff.mjs before.heapsnapshot after.heapsnapshot [--per 10000] [--top 40]
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const files = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
if (files.length !== 2) {
  console.error('usage: heap-diff.mjs before.heapsnapshot after.heapsnapshot [--per N] [--top N]');
  process.exit(2);
}
const per = opt('per', 1);
const top = opt('top', 40);

/** Groups: `<type>:<name>` for objects/closures, `<type>` for strings, code and arrays. */
function summarize(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const { nodes, strings } = snap;
  const groups = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + iType]];
    const size = nodes[i + iSize];
    total += size;
    let key;
    if (type === 'object' || type === 'closure' || type === 'native' || type === 'hidden') key = `${type}:${strings[nodes[i + iName]]}`;
    else if (type === 'array') key = `array:${strings[nodes[i + iName]]}`;
    else key = type;
    const g = groups.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += size;
    groups.set(key, g);
  }
  return { groups, total };
}

const a = summarize(files[0]);
const b = summarize(files[1]);
const rows = [];
for (const key of new Set([...a.groups.keys(), ...b.groups.keys()])) {
  const x = a.groups.get(key) ?? { count: 0, size: 0 };
  const y = b.groups.get(key) ?? { count: 0, size: 0 };
  if (y.size !== x.size || y.count !== x.count) rows.push({ key, count: y.count - x.count, size: y.size - x.size });
}
rows.sort((p, q) => Math.abs(q.size) - Math.abs(p.size));
const fmt = (n) => (n / per).toFixed(per === 1 ? 0 : 2);
console.log(`total live: ${a.total} → ${b.total} bytes; Δ ${b.total - a.total} (${fmt(b.total - a.total)} per unit, per = ${per})`);
console.log('Δbytes/unit  Δcount/unit  group');
for (const r of rows.slice(0, top)) console.log(`${fmt(r.size).padStart(11)}  ${fmt(r.count).padStart(11)}  ${r.key.slice(0, 100)}`);
