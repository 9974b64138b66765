// Message catalogues and a typed `t('key', {params})`. Russian is the
// default; the chosen language is remembered in localStorage.
import { en } from './en';
import { ru, type MessageKey } from './ru';

export type { MessageKey } from './ru';
export const languages = ['ru', 'en'] as const;
export type Lang = (typeof languages)[number];

export const catalogues: Record<Lang, Record<MessageKey, string>> = { ru, en };

const STORAGE_KEY = 'korobka.lang';
export const LANG_EVENT = 'pbx-lang-changed';

export type Params = Record<string, string | number>;

/** Pure lookup with `{name}` placeholders; unknown placeholders stay visible. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = catalogues[lang][key] ?? catalogues.ru[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === 'ru' || saved === 'en') return saved;
  } catch {
    // Storage can be blocked by policy; Russian then.
  }
  return 'ru';
}

let current: Lang = initialLang();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, still switched.
  }
  if (typeof document !== 'undefined') {
    document.documentElement.lang = next;
    document.dispatchEvent(new CustomEvent(LANG_EVENT, { detail: next }));
  }
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

/** Numbers and dates in the current language's conventions. */
export function formatNumber(n: number, digits = 0): string {
  return n.toLocaleString(current === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(current === 'ru' ? 'ru-RU' : 'en-GB');
}
