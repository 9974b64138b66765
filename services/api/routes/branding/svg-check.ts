// SVG validation: a small well-formedness parser plus a deny list. A logo
// is drawn through <img>, where scripts do not run, but a file that carries
// script, event handlers, external references or foreignObject is refused
// anyway: it may be opened directly or reused elsewhere.

export type SvgResult = { ok: true } | { ok: false; unsafe: boolean; reason: string };

const FORBIDDEN_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'object', 'embed', 'audio', 'video', 'canvas', 'handler', 'listener', 'link', 'meta', 'base']);
const ANIMATION = new Set(['set', 'animate', 'animatemotion', 'animatetransform']);
const REFERENCE_ATTRS = new Set(['href', 'xlink:href', 'src', 'action', 'formaction', 'data']);

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

/** CSS in a style attribute or element: only local url(#id) references. */
function cssProblem(css: string): string | null {
  if (css.includes('\\')) return 'CSS escapes are not allowed';
  if (/@import/i.test(css)) return 'CSS @import is an external reference';
  if (/url\(\s*['"]?\s*(?!#)/i.test(css)) return 'url() pointing outside the file';
  // image-set("https://…" 1x) and src() fetch without url() (issue 16, low: a checker bypass).
  if (/(image-set|src)\s*\(/i.test(css)) return 'image-set() or src() pointing outside the file';
  if (/expression\s*\(|javascript:/i.test(css)) return 'script in CSS';
  return null;
}

const localName = (n: string) => n.toLowerCase();
const isStyle = (n: string | undefined) => n === 'style' || (n?.endsWith(':style') ?? false);

function attributeProblem(element: string, name: string, value: string): string | null {
  const n = name.toLowerCase();
  if (n.startsWith('on')) return `event handler ${name}`;
  const v = decodeEntities(value);
  if (/javascript:|vbscript:/i.test(v.replace(/\s+/g, ''))) return 'script URL';
  // Any prefix may be bound to the XLink namespace (xmlns:x="http://www.w3.org/1999/xlink" x:href=…): judge the local name.
  const local = n.includes(':') ? n.slice(n.lastIndexOf(':') + 1) : n;
  if ((REFERENCE_ATTRS.has(n) || REFERENCE_ATTRS.has(local)) && !v.trim().startsWith('#')) return `external reference ${name}`;
  if (ANIMATION.has(element) && n === 'attributename' && (/href/i.test(v) || /^on/i.test(v))) return 'animation of a link or handler';
  return cssProblem(v);
}

const ATTR = /\s*([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/y;

interface Tag {
  name: string;
  attrs: [string, string][];
  selfClosing: boolean;
  end: number;
}

function readTag(s: string, start: number): Tag | null {
  const nameMatch = /^<([A-Za-z_][\w.:-]*)/.exec(s.slice(start, start + 200));
  if (!nameMatch) return null;
  let pos = start + nameMatch[0].length;
  const attrs: [string, string][] = [];
  for (;;) {
    ATTR.lastIndex = pos;
    const m = ATTR.exec(s);
    if (!m) break;
    attrs.push([m[1]!, m[3] ?? m[4] ?? '']);
    pos = ATTR.lastIndex;
  }
  const close = /^\s*(\/?)>/.exec(s.slice(pos, pos + 100));
  if (!close) return null;
  return { name: nameMatch[1]!, attrs, selfClosing: close[1] === '/', end: pos + close[0].length };
}

const broken = (reason: string): SvgResult => ({ ok: false, unsafe: false, reason });
const unsafe = (reason: string): SvgResult => ({ ok: false, unsafe: true, reason });

export function checkSvg(bytes: Buffer): SvgResult {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return broken('not UTF-8 text');
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(s)) return unsafe('DOCTYPE and entity declarations are not allowed');
  const stack: string[] = [];
  let sawRoot = false;
  let pos = 0;
  while (pos < s.length) {
    const lt = s.indexOf('<', pos);
    const text = lt < 0 ? s.slice(pos) : s.slice(pos, lt);
    if (stack.length === 0 && text.trim() && !(pos === 0 && text.trim() === '\ufeff')) return broken('text outside the root element');
    if (isStyle(stack[stack.length - 1])) {
      const p = cssProblem(text);
      if (p) return unsafe(p);
    }
    if (lt < 0) break;
    if (s.startsWith('<!--', lt)) {
      const e = s.indexOf('-->', lt + 4);
      if (e < 0) return broken('unclosed comment');
      pos = e + 3;
    } else if (s.startsWith('<![CDATA[', lt)) {
      const e = s.indexOf(']]>', lt);
      if (e < 0) return broken('unclosed CDATA');
      if (isStyle(stack[stack.length - 1])) {
        const p = cssProblem(s.slice(lt + 9, e));
        if (p) return unsafe(p);
      }
      pos = e + 3;
    } else if (s.startsWith('<?', lt)) {
      const e = s.indexOf('?>', lt);
      if (e < 0) return broken('unclosed processing instruction');
      if (!/^<\?xml\s/i.test(s.slice(lt, lt + 6)) || sawRoot) return unsafe('processing instructions are not allowed');
      // The bytes were read as UTF-8; a declaration naming another encoding (UTF-7) would be read otherwise by a browser.
      const enc = /\sencoding\s*=\s*["']([^"']*)["']/i.exec(s.slice(lt, e))?.[1];
      if (enc !== undefined && !/^utf-?8$/i.test(enc)) return unsafe(`encoding ${enc.slice(0, 20)} is not allowed (UTF-8 only)`);
      pos = e + 2;
    } else if (s[lt + 1] === '/') {
      const m = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(s.slice(lt, lt + 200));
      if (!m) return broken('malformed closing tag');
      const open = stack.pop();
      if (open !== localName(m[1]!)) return broken(`</${m[1]}> does not close <${open ?? ''}>`);
      pos = lt + m[0].length;
    } else {
      const tag = readTag(s, lt);
      if (!tag) return broken('malformed tag');
      const name = localName(tag.name);
      const bare = name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
      if (stack.length === 0) {
        if (sawRoot) return broken('more than one root element');
        if (bare !== 'svg') return broken('the root element is not <svg>');
        sawRoot = true;
      }
      if (FORBIDDEN_ELEMENTS.has(bare)) return unsafe(`<${tag.name}> is not allowed`);
      for (const [n, v] of tag.attrs) {
        const p = attributeProblem(bare, n, v);
        if (p) return unsafe(p);
      }
      if (!tag.selfClosing) stack.push(name === bare ? bare : name);
      pos = tag.end;
    }
  }
  if (!sawRoot) return broken('no <svg> element');
  if (stack.length > 0) return broken(`<${stack[stack.length - 1]}> is not closed`);
  return { ok: true };
}
