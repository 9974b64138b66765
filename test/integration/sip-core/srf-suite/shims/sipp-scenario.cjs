/* global module, require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS: also required by the docker shim */
// Debian's sipp 3.6.1 is a strict XML parser and rejects a raw `<` inside an
// attribute value (XML 1.0 §3.1 forbids it), which three of drachtio-srf's
// scenarios carry (`<ereg regexp="<sip:(.*)>" …/>`); the newer sipp in
// upstream's drachtio/sipp image accepts it. The scenario is the same once the
// `<` is written as `&lt;`: sipp's parser hands the regexp back unchanged. So
// such a file is copied with only that escape (outside CDATA, where SIP
// messages live and entities mean nothing); any other file is used as is.
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

function escapeAttributes(xml) {
  return xml
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) => (part.startsWith('<![CDATA[') ? part : part.replace(/(=\s*")([^"]*)"/g, (_m, eq, v) => `${eq}${v.replace(/</g, '&lt;')}"`)))
    .join('');
}

/** Path of a scenario sipp 3.6.1 can load: the file itself, or an escaped copy in `dir`. */
function loadableScenario(file, dir) {
  const xml = readFileSync(file, 'utf8');
  const escaped = escapeAttributes(xml);
  if (escaped === xml) return file;
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `escaped-${path.basename(file)}`);
  writeFileSync(out, escaped);
  return out;
}

module.exports = { escapeAttributes, loadableScenario };
