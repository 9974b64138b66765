// Preloaded into sip-core by the benchmark only (`node --expose-gc --import
// <this file> …/main.js`): on `{type: 'bench-measure'}` over the IPC channel
// it collects garbage and answers with the process's memory, so per-dialog
// figures compare live data, not whatever garbage the last burst left.
// On `{type: 'bench-snapshot', file}` it writes a V8 heap snapshot there.
/* global gc */
import v8 from 'node:v8';

function measure() {
  // Two full collections: the first may only finalize weak references.
  gc();
  gc();
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size, physical: s.physical_space_size }]),
  );
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers, spaces };
}

process.on('message', (m) => {
  if (m?.type === 'bench-measure') process.send?.({ type: 'bench-memory', memory: measure() });
  if (m?.type === 'bench-snapshot') process.send?.({ type: 'bench-snapshot', file: v8.writeHeapSnapshot(m.file) });
});
