// Stand-in for `docker run … drachtio/sipp sipp …` as drachtio-srf's
// test/sipp.js calls it: runs the same sipp command with the local sipp,
// inside the harness's network namespace (we are started in it), with the
// container's address: `--name N` binds to N's address from /etc/hosts (the
// harness wrote it), an unnamed UAC container gets a fresh address of its own
// from SRF_HARNESS_UAC_NET. The scenario volume maps to the host directory.
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS: run by node as a plain script */
const { spawn } = require('node:child_process');
const { openSync, closeSync, readFileSync } = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
function fail(msg) {
  console.error(`docker shim: ${msg}`);
  process.exit(125);
}
if (args[0] !== 'run') fail(`only "run" is supported, got ${args.join(' ')}`);
let name;
const volumes = [];
let i = 1;
for (; i < args.length && args[i].startsWith('-'); i++) {
  const flag = args[i];
  if (flag === '--rm' || flag === '-it' || flag === '-t' || flag === '-i') continue;
  const value = args[++i];
  if (flag === '--name') name = value;
  else if (flag === '-v') volumes.push(value.split(':'));
  else if (flag !== '--net' && flag !== '--network') fail(`unsupported flag ${flag}`);
}
const image = args[i];
const cmd = args.slice(i + 1);
if (image !== 'drachtio/sipp' || cmd[0] !== 'sipp') fail(`only drachtio/sipp sipp is supported, got ${image} ${cmd[0]}`);

const mapPath = (a) => {
  for (const [host, inContainer] of volumes) if (a.startsWith(`${inContainer}/`)) return path.join(host, a.slice(inContainer.length));
  return a;
};

function hostAddress(host) {
  for (const l of readFileSync('/etc/hosts', 'utf8').split('\n')) {
    const [addr, ...names] = l.trim().split(/\s+/);
    if (names.includes(host)) return addr;
  }
  fail(`no address for container ${host} in /etc/hosts`);
}

// Each unnamed container claims the next free host number (O_EXCL create).
function claimAddress() {
  const net = process.env.SRF_HARNESS_UAC_NET;
  const dir = process.env.SRF_HARNESS_STATE_DIR;
  if (!net || !dir) fail('SRF_HARNESS_UAC_NET and SRF_HARNESS_STATE_DIR must be set');
  for (let n = 2; n < 255; n++) {
    try {
      closeSync(openSync(path.join(dir, `uac-${n}`), 'wx'));
      return `${net}${n}`;
    } catch {
      /* taken */
    }
  }
  fail('no free UAC address left');
}

const address = name ? hostAddress(name) : claimAddress();
const { loadableScenario } = require('../sipp-scenario.cjs');
const sippArgs = cmd.slice(1).map(mapPath);
const sf = sippArgs.indexOf('-sf');
if (sf >= 0 && sippArgs[sf + 1]) sippArgs[sf + 1] = loadableScenario(sippArgs[sf + 1], process.env.SRF_HARNESS_STATE_DIR);
const local = ['-i', address, '-bind_local', ...(name ? ['-p', '5060'] : [])];
const logDir = process.env.SRF_HARNESS_LOG_DIR;
const trace = logDir ? ['-trace_err', '-error_file', path.join(logDir, `sipp-${name ?? address}-${process.pid}-errors.log`)] : [];
const child = spawn('sipp', [...local, ...trace, ...sippArgs], { stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
