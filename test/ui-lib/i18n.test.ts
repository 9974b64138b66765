// The message catalogues and the rule that visible text lives only there.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../ui/src/i18n/en';
import { ru } from '../../ui/src/i18n/ru';
import { translate } from '../../ui/src/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Stands for a ${…} expression in the scanned text. */
const HOLE = '\u0001';

/** The static parts of every html`…` template, with ${…} expressions cut out. */
export function templateTexts(src: string): string[] {
  const out: string[] = [];
  let i = 0;
  while ((i = src.indexOf('html`', i)) >= 0) {
    let j = i + 5;
    let text = '';
    let depth = 0;
    for (; j < src.length; j++) {
      const c = src[j]!;
      if (depth === 0 && c === '`') break;
      if (depth === 0 && c === '$' && src[j + 1] === '{') {
        depth = 1;
        j++;
        text += HOLE;
        continue;
      }
      if (depth > 0) {
        if (c === '{') depth++;
        else if (c === '}') depth--;
        continue;
      }
      text += c;
    }
    out.push(text);
    i = j + 1;
  }
  return out;
}

export function literalUiText(template: string): string[] {
  const found: string[] = [];
  for (const m of template.matchAll(/>([^<>]*)</g)) {
    const text = m[1]!.split(HOLE).join(' ').trim();
    if (/[A-Za-z]{2,}/.test(text)) found.push(text);
  }
  for (const m of template.matchAll(/\b(title|placeholder|aria-label|alt|label)="([^"]*)"/g)) {
    if (/[A-Za-z]{2,}/.test(m[2]!.split(HOLE).join(''))) found.push(`${m[1]}="${m[2]}"`);
  }
  return found;
}

describe('catalogues', () => {
  it('ru and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
  });

  it('no message is empty, and both languages use the same placeholders', () => {
    for (const key of Object.keys(ru) as (keyof typeof ru)[]) {
      expect(ru[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(ru[key]));
    }
  });

  it('English text has no Cyrillic, except the name of the Russian language', () => {
    for (const [key, text] of Object.entries(en)) if (key !== 'lang.ru') expect(text, key).not.toMatch(/[А-Яа-яЁё]/);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('ru', 'audit.range', { from: 1, to: 50, total: 120 })).toBe('1–50 из 120');
    expect(translate('en', 'audit.range', { from: 1, to: 50 })).toBe('1–50 of {total}');
  });
});

describe('no UI text outside the catalogues', () => {
  const files = sources(path.resolve('ui/src')).filter((f) => !f.includes(`${path.sep}i18n${path.sep}`));

  it('scans a real set of files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('no source file outside i18n/ contains Cyrillic', () => {
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/[А-Яа-яЁё]/);
  });

  it('no template contains English text nodes or labelled attributes', () => {
    for (const f of files) {
      const found = templateTexts(readFileSync(f, 'utf8')).flatMap(literalUiText);
      expect(found, f).toEqual([]);
    }
  });

  it('the scan itself catches literal text', () => {
    const sample = 'const a = html`<p>Hello there</p><button title="Close it">${t(\'x\')}</button><i>${x}</i>`;';
    expect(templateTexts(sample).flatMap(literalUiText)).toEqual(['Hello there', 'title="Close it"']);
  });
});
