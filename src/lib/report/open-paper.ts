/**
 * Reference rows for open-ended medical QA, from the papers, on their own test sets (BLEU and
 * ROUGE ×100). Shown beside an open run, always labelled as the papers' numbers: a local run on
 * another file, subset or protocol is not the same measurement.
 */
export interface OpenPaperRow {
  source: 'qilin-med' | 'huatuo-26m';
  model: string;
  bleu1: number;
  rouge1: number;
  rougeL?: number;
}

export const OPEN_PAPER_ROWS: readonly OpenPaperRow[] = [
  // Qilin-Med (Ye et al. 2023), Huatuo-26M test set, BLEU-1 / ROUGE-1.
  { source: 'qilin-med', model: 'Qilin-Med (DPO)', bleu1: 16.66, rouge1: 27.44 },
  { source: 'qilin-med', model: 'Qilin-Med (SFT)', bleu1: 12.69, rouge1: 24.21 },
  // Huatuo-26M (Li et al. 2023), generation on its test set, BLEU-1 / ROUGE-1 / ROUGE-L.
  {
    source: 'huatuo-26m',
    model: 'Baichuan2-7B-Chat (zero-shot)',
    bleu1: 20.73,
    rouge1: 26.75,
    rougeL: 17.45,
  },
  { source: 'huatuo-26m', model: 'HuatuoGPT', bleu1: 20.59, rouge1: 28.36, rougeL: 16.15 },
  { source: 'huatuo-26m', model: 'ChatGPT', bleu1: 18.44, rouge1: 19.6, rougeL: 12.46 },
  { source: 'huatuo-26m', model: 'T5 (fine-tuned)', bleu1: 26.63, rouge1: 33.21, rougeL: 24.85 },
];
