/**
 * Reference rows from the CMExam paper (Liu et al., "Benchmarking Large Language Models on
 * CMExam"), reported on the official test split. Accuracy and weighted F1 in percent; BLEU and
 * ROUGE ×100. Shown beside local runs, always labelled as the paper's numbers.
 */
import type { Locale, MessageKey } from '../i18n/messages';
import { translate } from '../i18n/translate';

export interface PaperRow {
  model: string;
  accuracy: number | null;
  weightedF1: number | null;
  bleu1?: number;
  bleu4?: number;
  rouge1?: number;
  rouge2?: number;
  rougeL?: number;
  note?: string;
  /** Translations of `model` (when it is not a name) and of `note`. */
  modelKey?: MessageKey;
  noteKey?: MessageKey;
}

export const PAPER_SOURCE = 'CMExam paper, official test split';

export const PAPER_ROWS: readonly PaperRow[] = [
  {
    model: 'GPT-4',
    accuracy: 61.6,
    weightedF1: 61.7,
    bleu1: 0.17,
    bleu4: 0.06,
    rouge1: 29.74,
    rouge2: 14.84,
    rougeL: 11.51,
  },
  {
    model: 'GPT-3.5-turbo',
    accuracy: 46.4,
    weightedF1: 46.1,
    bleu1: 3.56,
    bleu4: 1.49,
    rouge1: 33.8,
    rouge2: 16.39,
    rougeL: 14.83,
  },
  { model: 'ChatGLM-6B', accuracy: 26.3, weightedF1: 25.7 },
  { model: 'Vicuna-7B', accuracy: 5.0, weightedF1: 4.8 },
  { model: 'Alpaca-7B', accuracy: 8.5, weightedF1: 8.4 },
  { model: 'Huatuo-7B', accuracy: 12.9, weightedF1: 7.0 },
  { model: 'MedAlpaca-7B', accuracy: 20.0, weightedF1: 10.7 },
  {
    model: 'ChatGLM-CMExam',
    accuracy: 45.3,
    weightedF1: 45.2,
    bleu1: 31.1,
    bleu4: 18.94,
    rouge1: 43.94,
    rouge2: 31.48,
    rougeL: 29.39,
    note: 'fine-tuned on CMExam',
    noteKey: 'paperFineTuned',
  },
  { model: 'Human volunteers', accuracy: 71.6, weightedF1: null, modelKey: 'paperHumans' },
];

/** A paper row's model name and note in a language. */
export function paperNames(p: PaperRow, locale: Locale): { model: string; note: string | null } {
  return {
    model: p.modelKey ? translate(locale, p.modelKey) : p.model,
    note: p.noteKey ? translate(locale, p.noteKey) : (p.note ?? null),
  };
}
