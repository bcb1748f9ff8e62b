// The UI in two languages: every message has both, components hold no user-facing text of their
// own, and the first language follows the browser's.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';
import { MESSAGES, type MessageKey } from '../../src/lib/i18n/messages';
import {
  english,
  htmlLang,
  localeFromLanguages,
  msg,
  render,
  translate,
} from '../../src/lib/i18n/translate';

const ROOT = join(__dirname, '../..');
const UI = join(ROOT, 'src/ui');

/** Keys whose text is the same in both languages: a technical token or a format, not words. */
const SAME_IN_BOTH = new Set<MessageKey>(['modelLibUrl', 'sentences', 'engVerbatim']);

/**
 * Technical tokens a template may hold as they are, in both languages: metric and feature names,
 * and words that are the same in Chinese UIs.
 */
const TECHNICAL_TOKENS = [
  'BLEU-1',
  'BLEU-2',
  'BLEU-4',
  'ROUGE-1',
  'ROUGE-2',
  'ROUGE-L',
  'Distinct-1',
  'Distinct-2',
  'shader-f16',
  'sha256',
];

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message table', () => {
  const entries = Object.entries(MESSAGES) as [MessageKey, { en: string; zh: string }][];

  it('has every message in English and Chinese', () => {
    const missing = entries.filter(([, m]) => !m.en?.trim() || !m.zh?.trim()).map(([key]) => key);
    expect(missing).toEqual([]);
  });

  it('has the same placeholders in both languages', () => {
    const differ = entries
      .filter(([, m]) => placeholders(m.en).join() !== placeholders(m.zh).join())
      .map(([key, m]) => `${key}: ${m.en} | ${m.zh}`);
    expect(differ).toEqual([]);
  });

  it('translates every message (the same text only for listed technical ones)', () => {
    const same = entries
      .filter(([key, m]) => m.en === m.zh && !SAME_IN_BOTH.has(key))
      .map(([key]) => key);
    expect(same).toEqual([]);
  });

  it('writes Chinese in every Chinese text that is more than tokens and placeholders', () => {
    const latinOnly = entries
      .filter(([key, m]) => !SAME_IN_BOTH.has(key) && !/[\u3400-\u9fff\uff00-\uffef]/u.test(m.zh))
      .filter(([, m]) => /[A-Za-z]{3,}\s+[a-z]{3,}/.test(m.zh.replace(/\{\w+\}/g, '')))
      .map(([key, m]) => `${key}: ${m.zh}`);
    expect(latinOnly).toEqual([]);
  });
});

describe('t(key, params)', () => {
  it('fills placeholders, nested messages and lists in the chosen language', () => {
    expect(translate('en', 'showMore', { n: 5 })).toBe('Show 5 more');
    expect(translate('zh', 'showMore', { n: 5 })).toBe('再显示 5 条');
    const nested = msg('dsHttp', {
      status: '404',
      url: 'https://x.test/a.csv',
      hint: msg('dsHint404'),
    });
    expect(render('en', nested)).toBe(
      'The server answered 404 for https://x.test/a.csv. The file is not at that address: check the base URL (mirror) setting.',
    );
    expect(render('zh', nested)).toContain('服务器对 https://x.test/a.csv 返回 404。');
    expect(english(msg('appTitle'))).toBe('CMExam in the browser');
    expect(translate('en', 'appTitle')).toBe('CMExam in the browser');
  });
});

describe('the first language', () => {
  it('follows the browser: any zh entry picks Chinese', () => {
    expect(localeFromLanguages(['zh-CN', 'en'])).toBe('zh');
    expect(localeFromLanguages(['en-US'])).toBe('en');
    expect(localeFromLanguages(['en-GB', 'zh-TW'])).toBe('zh');
    expect(localeFromLanguages(['ZH'])).toBe('zh');
    expect(localeFromLanguages([])).toBe('en');
    expect(localeFromLanguages(['fr-FR', 'de'])).toBe('en');
  });

  it('sets <html lang> to zh-CN or en', () => {
    expect(htmlLang('zh')).toBe('zh-CN');
    expect(htmlLang('en')).toBe('en');
  });
});

/** Does template text hold words (two Latin letters in a row, or any CJK) besides the tokens? */
function hasWords(text: string): boolean {
  let rest = text;
  for (const token of TECHNICAL_TOKENS) rest = rest.split(token).join(' ');
  return /[A-Za-z]{2,}|[\u3400-\u9fff]/u.test(rest);
}

/** A static attribute value that is an example address (a URL placeholder) is not words. */
const isUrlExample = (text: string) => /^https?:\/\/\S*$/u.test(text.trim());

const TEXT_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description']);

interface Found {
  line: number;
  text: string;
}

function userFacingLiterals(source: string): Found[] {
  const ast = parse(source, { modern: true });
  const found: Found[] = [];
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as Record<string, unknown> & { type?: string; start?: number };
    if (n.type === 'Text' && typeof n.data === 'string' && hasWords(n.data)) {
      found.push({ line: lineOf(n.start ?? 0), text: n.data.trim() });
    }
    if (n.type === 'Attribute' && TEXT_ATTRIBUTES.has(n.name as string) && Array.isArray(n.value)) {
      for (const part of n.value as { type: string; data?: string; start: number }[]) {
        if (part.type === 'Text' && part.data && /[A-Za-z]{2,}/.test(part.data)) {
          if (!isUrlExample(part.data)) found.push({ line: lineOf(part.start), text: part.data });
        }
      }
    }
    for (const [key, child] of Object.entries(n)) {
      // Expressions are code; other attributes (class, data-*, value, type…) are data.
      if (key === 'expression' || key === 'metadata' || key === 'start' || key === 'end') continue;
      if (n.type === 'Attribute' && key === 'value') continue;
      visit(child);
    }
  };
  // <script> and <style> are separate from the fragment in the modern AST.
  visit(ast.fragment);
  return found;
}

describe('components hold no user-facing text of their own', () => {
  it('finds the words the check looks for', () => {
    const sample = `<script>const x = 'Hello there';</script>
<p>Hello</p><p>{t('ok')}</p><input placeholder="Search here" aria-label={t('search')} />
<span>BLEU-1 · ROUGE-L</span><p>中文</p><input placeholder="https://example.org/x.csv" />
<style>p { color: red; }</style>`;
    expect(userFacingLiterals(sample).map((f) => f.text)).toEqual(['Hello', 'Search here', '中文']);
  });

  it('in every .svelte file under src/ui', () => {
    const offending = files(UI, '.svelte').flatMap((file) =>
      userFacingLiterals(readFileSync(file, 'utf8')).map(
        (f) => `${relative(ROOT, file)}:${f.line}: ${JSON.stringify(f.text)}`,
      ),
    );
    expect(offending).toEqual([]);
  });
});

/**
 * Quoted strings in the UI state classes that read as English sentences: a capital letter, then
 * at least three words. Identifiers, storage keys, test ids and URLs have no spaces, so they never
 * match; comments are removed first.
 */
function englishSentences(source: string): Found[] {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(
      /(^|[^:'"`\\])\/\/[^\n]*/g,
      (c, lead: string) => lead + ' '.repeat(c.length - lead.length),
    );
  const found: Found[] = [];
  const literal = /(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g;
  for (const m of code.matchAll(literal)) {
    const text = m[2].replace(/\$\{[^}]*\}/g, 'xx');
    if (/[A-Z][a-z']+(?:[,:;]?[ ]+[A-Za-z'’-]{2,}){2,}/.test(text)) {
      found.push({ line: code.slice(0, m.index).split('\n').length, text: m[2] });
    }
  }
  return found;
}

describe('UI state classes build no English sentences', () => {
  it('finds the sentences the check looks for', () => {
    const sample = `// A comment with Many words in it
const key = 'cmexam.locale'; const id = "run-start"; const url = \`https://x/\${a}\`;
this.notice = \`Merged \${n} shards into run \${id}.\`;
throw new Error('The split is not stored.');`;
    expect(englishSentences(sample).map((f) => f.line)).toEqual([3, 4]);
  });

  it('in src/ui/state', () => {
    const offending = files(join(UI, 'state'), '.ts').flatMap((file) =>
      englishSentences(readFileSync(file, 'utf8')).map(
        (f) => `${relative(ROOT, file)}:${f.line}: ${JSON.stringify(f.text)}`,
      ),
    );
    expect(offending).toEqual([]);
  });
});
