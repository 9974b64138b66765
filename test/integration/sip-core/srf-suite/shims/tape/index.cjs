/* global module, setTimeout, clearTimeout */
// Stand-in for the npm `tape` module (not installed) with the part of its API
// drachtio-srf's test files use: test(), t.pass/ok/fail/error/end/plan/
// timeoutAfter/throws/doesNotThrow. It prints TAP like tape, runs tests one
// after another, and sets a non-zero exit code on any failure, a timeout or a
// test that never ends, so the harness can assert on each line.
const queue = [];
let count = 0;
let failed = 0;
let running = false;

const line = (s) => process.stdout.write(`${s}\n`);
function assert(ok, msg) {
  count++;
  if (!ok) failed++;
  line(`${ok ? 'ok' : 'not ok'} ${count} ${msg}`);
}

function runNext() {
  const next = queue.shift();
  if (!next) {
    line(`\n1..${count}\n# tests ${count}\n# pass  ${count - failed}\n${failed ? `# fail  ${failed}` : '# ok'}`);
    if (failed) process.exitCode = 1;
    return;
  }
  running = true;
  line(`# ${next.name}`);
  let ended = false;
  let timer;
  let planned;
  let seen = 0;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    if (planned !== undefined && seen !== planned) assert(false, `plan != count (expected ${planned}, got ${seen})`);
    running = false;
    setTimeout(runNext, 0);
  };
  const t = {
    pass: (msg) => { seen++; assert(true, msg ?? '(unnamed assert)'); },
    fail: (msg) => { seen++; assert(false, msg ?? 'fail'); },
    ok: (v, msg) => { seen++; assert(!!v, msg ?? 'should be truthy'); },
    error: (err, msg) => { seen++; assert(!err, msg ?? String(err)); },
    throws: (fn, expected, msg) => {
      let err;
      let threw = false;
      try { fn(); } catch (e) { threw = true; err = e; }
      // As tape: an error class as the second argument must match what was thrown.
      const matches = typeof expected !== 'function' || err instanceof expected;
      seen++;
      assert(threw && matches, typeof expected === 'string' ? expected : msg ?? 'should throw');
    },
    doesNotThrow: (fn, msg) => {
      let err;
      try { fn(); } catch (e) { err = e; }
      seen++;
      assert(!err, msg ?? `should not throw${err ? `: ${err.message}` : ''}`);
    },
    plan: (n) => { planned = n; },
    end: (err, msg) => {
      if (err) { seen++; assert(false, msg ?? String(err)); }
      end();
    },
    timeoutAfter: (ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => { assert(false, `test timed out after ${ms}ms`); end(); }, ms);
    },
  };
  try {
    next.fn(t);
  } catch (e) {
    assert(false, `threw: ${e && e.message}`);
    end();
  }
}

process.on('exit', (code) => {
  if (running) {
    assert(false, 'test exited without ending');
    process.exitCode = 1;
  } else if (failed && code === 0) process.exitCode = 1;
});

function test(name, fn) {
  queue.push({ name, fn });
  if (queue.length === 1 && !running) setTimeout(runNext, 0);
}
module.exports = test;
module.exports.test = test;
