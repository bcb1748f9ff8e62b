/**
 * Pure translation helpers, usable anywhere (workers, CLIs, tests): no rune state, no DOM.
 * Lib code that produces text a person reads returns or throws a `Message` (a key and its
 * parameters) alongside its English text; the UI renders the Message in the chosen language.
 */
import { MESSAGES, type Locale, type MessageKey } from './messages';

/**
 * A parameter is a value, another message translated in the same language, or a list of them
 * (sentences: joined with a space in English, with nothing in Chinese or before a line break).
 */
export type MessageParam = string | number | Message | readonly MessageParam[];

/** A translatable text: a key of MESSAGES and the values of its `{placeholders}`. */
export interface Message {
  key: MessageKey;
  params?: Record<string, MessageParam>;
}

/** The text of a key in a language, with `{name}` placeholders filled in. */
export function translate(
  locale: Locale,
  key: MessageKey,
  params?: Record<string, MessageParam>,
): string {
  const text: string = MESSAGES[key][locale];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : paramText(locale, value);
  });
}

function paramText(locale: Locale, value: MessageParam): string {
  if (Array.isArray(value)) {
    const parts = value.map((v: MessageParam) => paramText(locale, v));
    return parts.reduce(
      (all, part, i) =>
        i === 0 || locale === 'zh' || part.startsWith('\n') ? all + part : `${all} ${part}`,
      '',
    );
  }
  if (typeof value === 'object') {
    const m = value as Message;
    return translate(locale, m.key, m.params);
  }
  return String(value);
}

/** A Message (or plain text, shown as it is) in a language. */
export function render(locale: Locale, message: Message | string): string {
  return typeof message === 'string' ? message : translate(locale, message.key, message.params);
}

/** Builds a Message; `english(m)` is its text for logs, CLIs and Error messages. */
export function msg(key: MessageKey, params?: Record<string, MessageParam>): Message {
  return params ? { key, params } : { key };
}

export function english(message: Message | string): string {
  return render('en', message);
}

/** A heading and its problems, one a line (`- …` in English, `• …` in Chinese). */
export function withProblems(heading: Message, problems: readonly Message[]): Message {
  if (!problems.length) return heading;
  return msg('sentences', {
    list: [heading, ...problems.map((p) => msg('bulletLine', { text: p }))],
  });
}

/** Is this a Message (it may have crossed a worker as a plain object)? */
export function isMessage(value: unknown): value is Message {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as { key?: unknown }).key === 'string' &&
    (value as { key: string }).key in MESSAGES
  );
}

/** The first language from the browser's list: any `zh…` entry picks Chinese. */
export function localeFromLanguages(languages: readonly string[]): Locale {
  return languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

/** The value for `<html lang>`. */
export function htmlLang(locale: Locale): string {
  return locale === 'zh' ? 'zh-CN' : 'en';
}

/**
 * Text a person reads, from lib code: the English `message` (kept for logs and CLIs) and, where
 * the code gives one, the `i18n` Message the UI translates.
 */
export interface Translatable {
  message: string;
  i18n?: Message;
}

/** `Error` whose text can be translated: `code` for programs, `i18n` for the UI. */
export class TranslatableError extends Error {
  constructor(
    readonly i18n: Message,
    options?: ErrorOptions,
  ) {
    super(english(i18n), options);
  }
}

/** The Message an error carries, if any (errors crossing Comlink keep own enumerable fields). */
export function messageOf(err: unknown): Message | null {
  const i18n = (err as { i18n?: unknown } | null | undefined)?.i18n;
  return isMessage(i18n) ? i18n : null;
}

/** Text for the UI: a Message to translate, or a string shown as it is (data, engine output). */
export type Text = Message | string;

/** What an error says: its Message if it carries one, else its message. */
export function errorText(err: unknown): Text {
  return messageOf(err) ?? (err instanceof Error ? err.message : String(err));
}
