/**
 * Where the other benchmarks' own files are published, with their licences, for the Data
 * step's list. Only direct file addresses are given as import links (a Hugging Face `resolve`
 * URL or a GitHub raw URL); benchmarks published as archives or on Google Drive (MedQA,
 * MLEC-QA) are linked to their page, to be downloaded, unpacked and dropped here.
 */
import type { MessageKey } from '../i18n/messages';
import type { BenchmarkFormat } from './types';

export interface BenchmarkFile {
  /** Split name the import gets (`custom/<split>`). */
  split: string;
  url: string;
  /** An answer key shipped apart, downloaded with the questions (CMB's test split). */
  answers?: string;
}

export interface BenchmarkSource {
  id: string;
  label: string;
  format: BenchmarkFormat;
  licence: string;
  page: string;
  files: BenchmarkFile[];
  /** What to drop together, what to unpack (a message key). */
  note?: MessageKey;
}

/** Hugging Face's own address; a mirror (such as hf-mirror.com) serves the same paths. */
export const HF_BASE = 'https://huggingface.co/';
const HF = `${HF_BASE}datasets`;

/** A benchmark file's address under a Hugging Face mirror (other hosts are left as they are). */
export function mirroredUrl(url: string, hfMirror: string): string {
  if (!url.startsWith(HF_BASE) || !hfMirror.trim()) return url;
  const base = hfMirror.trim().endsWith('/') ? hfMirror.trim() : `${hfMirror.trim()}/`;
  return base + url.slice(HF_BASE.length);
}
const CMMLU_RAW = 'https://raw.githubusercontent.com/haonan-li/CMMLU/master/data/test';

/** CMMLU's medical subjects (test split, one CSV each). */
export const CMMLU_MEDICAL_SUBJECTS = [
  'anatomy',
  'clinical_knowledge',
  'college_medicine',
  'college_medical_statistics',
  'genetics',
  'nutrition',
  'professional_medicine',
  'traditional_chinese_medicine',
  'virology',
] as const;

export const BENCHMARK_SOURCES: readonly BenchmarkSource[] = [
  {
    id: 'cmb',
    label: 'CMB-Exam',
    format: 'cmb',
    licence: 'Apache-2.0',
    page: 'https://github.com/FreedomIntelligence/CMB',
    files: [
      {
        split: 'cmb-val',
        url: `${HF}/FreedomIntelligence/CMB/resolve/main/CMB-Exam/CMB-val/CMB-val-merge.json`,
      },
      {
        split: 'cmb-test',
        url: `${HF}/FreedomIntelligence/CMB/resolve/main/CMB-Exam/CMB-test/CMB-test-choice-question-merge.json`,
        answers:
          'https://raw.githubusercontent.com/FreedomIntelligence/CMB/main/data/CMB-test-choice-answer.json',
      },
    ],
    note: 'benchNoteCmb',
  },
  {
    id: 'cmb-clin',
    label: 'CMB-Clin',
    format: 'cmb-clin',
    licence: 'Apache-2.0',
    page: 'https://github.com/FreedomIntelligence/CMB',
    files: [
      {
        split: 'cmb-clin',
        url: `${HF}/FreedomIntelligence/CMB/resolve/main/CMB-Clin/CMB-Clin-qa.json`,
      },
    ],
  },
  {
    id: 'huatuo',
    label: 'Huatuo-26M (test)',
    format: 'huatuo',
    licence: 'Apache-2.0',
    page: 'https://github.com/FreedomIntelligence/Huatuo-26M',
    files: [
      {
        split: 'huatuo26m-test',
        url: `${HF}/FreedomIntelligence/huatuo26M-testdatasets/resolve/main/test_datasets.jsonl`,
      },
    ],
  },
  {
    id: 'cmmlu',
    label: 'CMMLU (medical subjects)',
    format: 'cmmlu',
    licence: 'CC BY-NC-SA 4.0 (README; CC BY-NC 4.0 on Hugging Face)',
    page: 'https://github.com/haonan-li/CMMLU',
    files: CMMLU_MEDICAL_SUBJECTS.map((s) => ({
      split: `cmmlu-${s}`,
      url: `${CMMLU_RAW}/${s}.csv`,
    })),
    note: 'benchNoteCmmlu',
  },
  {
    id: 'medqa',
    label: 'MedQA (Mainland)',
    format: 'medqa',
    licence: 'not stated (code MIT)',
    page: 'https://github.com/jind11/MedQA',
    files: [],
    note: 'benchNoteMedqa',
  },
  {
    id: 'mlec-qa',
    label: 'MLEC-QA',
    format: 'mlec-qa',
    licence: 'not stated (code MIT)',
    page: 'https://github.com/Judenpech/MLEC-QA',
    files: [],
    note: 'benchNoteMlec',
  },
];
