// The file shapes the app reads, one adapter module each, chosen by the first record's keys
// (or the CSV header) unless the user names one.
import { DatasetError } from '../errors';
import { msg } from '../../i18n/translate';
import type { BenchmarkFormat } from '../types';
import type { FormatAdapter } from './types';
import { cmexamFormat } from './cmexam';
import { cmbFormat, isAnswerKeyRecord } from './cmb';
import { cmbClinFormat } from './cmb-clin';
import { medqaFormat } from './medqa';
import { cmmluFormat } from './cmmlu';
import { mlecQaFormat } from './mlec-qa';
import { huatuoFormat } from './huatuo';
import { openGenericFormat } from './open-generic';

export type { FormatAdapter, FormatReader, ReadContext, AnswerKey } from './types';

/** In detection order: the most specific shapes first (MedQA's keys include CMExam-like ones). */
export const FORMAT_ADAPTERS: readonly FormatAdapter[] = [
  cmbClinFormat,
  cmbFormat,
  medqaFormat,
  mlecQaFormat,
  cmexamFormat,
  cmmluFormat,
  huatuoFormat,
  openGenericFormat,
];

export function formatAdapter(id: BenchmarkFormat): FormatAdapter {
  const found = FORMAT_ADAPTERS.find((a) => a.id === id);
  if (!found) throw new Error(`unknown format ${id}`);
  return found;
}

/**
 * The adapter for a file whose first record has these keys: the named one when the user chose
 * it, else the first that matches. A file no adapter knows gets CMExam's missing-column message
 * followed by the other shapes the app reads.
 */
export function detectFormat(keys: readonly string[], chosen?: BenchmarkFormat): FormatAdapter {
  if (chosen) return formatAdapter(chosen);
  if (isAnswerKeyRecord(keys)) throw new DatasetError('not-dataset', msg('dsAnswerKeyAlone'));
  const found = FORMAT_ADAPTERS.find((a) => a.matches(keys));
  if (found) return found;
  try {
    cmexamFormat.open(keys, {});
  } catch (err) {
    if (err instanceof DatasetError && err.i18n) {
      throw new DatasetError(
        err.code,
        msg('dsNoKnownShape', {
          cmexam: err.i18n,
          shapes: FORMAT_ADAPTERS.filter((a) => a.id !== 'cmexam')
            .map((a) => `${a.label} (${a.expects})`)
            .join('; '),
        }),
      );
    }
    throw err;
  }
  return cmexamFormat;
}
