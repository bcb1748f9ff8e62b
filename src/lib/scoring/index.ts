/**
 * The pure scoring core: CMExam's reference evaluation reproduced (`cmexam-char`,
 * `cmexam-jieba`), plus breakdowns, calibration, position bias, circular evaluation and run
 * comparison. See each module's header for the semantics and their sources.
 */
export type * from './types';
export { scoreRecords, DEFAULT_DIFFICULTY_KEY } from './score';
export { PROTOCOLS, PROTOCOL_IDS, isProtocolId, type ProtocolInfo } from './protocols';
export {
  OPEN_PROTOCOLS,
  OPEN_PROTOCOL_IDS,
  DEFAULT_OPEN_PROTOCOL,
  isOpenProtocolId,
  type OpenProtocolId,
  type OpenProtocolInfo,
} from './open-protocols';
export {
  scoreOpen,
  outputAsScored,
  distinct,
  type OpenRecord,
  type OpenMetrics,
  type OpenItemScore,
  type OpenScoreResult,
} from './open-score';
export {
  METRIC_FAMILIES,
  METRIC_NAMES,
  resolveMetrics,
  type MetricFamily,
  type MetricName,
} from './registry';
export {
  accuracy,
  weightedF1,
  precisionRecallFscoreWeighted,
  compareCodePoints,
  type WeightedPrf,
} from './classification';
export { computeBleu, bleuFromStats, type BleuResult, type BleuStats } from './bleu';
export {
  rougeN,
  rougeL,
  rougeCorpus,
  lcsLength,
  rougeNFromCounts,
  rougeLFromLcs,
  type Prf,
  type RougeScores,
} from './rouge';
export {
  charTokens,
  charTokensBleu,
  charTokensRouge,
  spacedChars,
  isPythonWhitespace,
  type CharTokenVariant,
} from './tokens';
export { wilson, mcnemarExact, binomCdfHalf, npSum, npMean, Z95 } from './numeric';
export { compareRuns } from './compare';
export {
  calibration,
  expectedCalibrationError,
  brierScore,
  topOption,
  CALIBRATION_BINS,
} from './calibration';
export { positionBias } from './position-bias';
export { circular } from './circular';
export { UNPARSED_LABEL, isParsed, isCorrect, answerLabel } from './records';
export { benchmarkScores, type BenchmarkScores, type BenchmarkGroup } from './benchmark-scores';
