import { MESSAGES, type Locale, type MessageKey } from './messages';

const KEY = 'cmexam.locale';

/** The UI language, kept in localStorage. */
class LocaleState {
  current = $state<Locale>(initial());

  t = (key: MessageKey): string => MESSAGES[key][this.current];

  toggle(): void {
    this.current = this.current === 'en' ? 'zh' : 'en';
    localStorage.setItem(KEY, this.current);
    document.documentElement.lang = this.current === 'zh' ? 'zh-CN' : 'en';
  }
}

function initial(): Locale {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return typeof navigator !== 'undefined' && navigator.language.startsWith('zh') ? 'zh' : 'en';
}

export const locale = new LocaleState();
export const t = locale.t;
