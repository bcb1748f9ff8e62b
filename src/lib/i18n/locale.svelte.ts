import type { Locale, MessageKey } from './messages';
import {
  htmlLang,
  localeFromLanguages,
  messageOf,
  render,
  translate,
  type Message,
  type MessageParam,
  type Translatable,
} from './translate';

const KEY = 'cmexam.locale';

/** The UI language: from the browser's languages on a first visit, kept once toggled. */
class LocaleState {
  current = $state<Locale>(initial());

  constructor() {
    setHtmlLang(this.current);
  }

  t = (key: MessageKey, params?: Record<string, MessageParam>): string =>
    translate(this.current, key, params);

  /** A Message, plain text, or lib output with an English `message` and maybe an `i18n`. */
  tr = (text: Message | string | Translatable | null | undefined): string => {
    if (text === null || text === undefined) return '';
    if (typeof text === 'string') return text;
    if ('key' in text) return render(this.current, text);
    return text.i18n ? render(this.current, text.i18n) : text.message;
  };

  /** An error's text: its Message when it carries one, else its message. */
  err = (err: unknown): string => {
    const m = messageOf(err);
    if (m) return render(this.current, m);
    return err instanceof Error ? err.message : String(err);
  };

  toggle(): void {
    this.current = this.current === 'en' ? 'zh' : 'en';
    try {
      localStorage.setItem(KEY, this.current);
    } catch {
      // Storage may be blocked; the choice then lasts for this page.
    }
    setHtmlLang(this.current);
  }
}

function setHtmlLang(locale: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = htmlLang(locale);
}

function initial(): Locale {
  let saved: string | null = null;
  try {
    saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  } catch {
    saved = null;
  }
  if (saved === 'en' || saved === 'zh') return saved;
  if (typeof navigator === 'undefined') return 'en';
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language ?? ''];
  return localeFromLanguages(languages);
}

export const locale = new LocaleState();
export const t = locale.t;
export const tr = locale.tr;
export const terr = locale.err;
