import * as Comlink from 'comlink';
import type { MergeComparison } from './merge-comparison';
import type { OpenProtocolId } from '../scoring';
import type { ProtocolId } from '../scoring/types';
import type { Locale } from '../i18n/messages';
import type { ResultsFile } from './results';
import type { SuiteSummary } from './suite-summary';
import type {
  AnnotationFilter,
  Comparison,
  InspectorDetail,
  InspectorFilter,
  InspectorRow,
  LeaderboardRow,
  MergeGroup,
  ReportService,
  RunReport,
} from './service';

/** Typed handle on the report worker: scoring, exports, imports, comparisons. */
export class ReportClient {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<ReportService>;

  constructor() {
    this.worker = new Worker(new URL('../../../workers/report.worker.ts', import.meta.url), {
      type: 'module',
      name: 'report',
    });
    this.api = Comlink.wrap<ReportService>(this.worker);
  }

  report(runId: string, protocol: ProtocolId, openProtocol?: OpenProtocolId): Promise<RunReport> {
    return this.api.report(runId, protocol, openProtocol);
  }

  inspectorRows(
    runId: string,
    filter: InspectorFilter,
    annotation: AnnotationFilter | null = null,
  ): Promise<InspectorRow[]> {
    return this.api.inspectorRows(runId, filter, annotation);
  }

  inspect(
    runId: string,
    questionId: string,
    protocol: ProtocolId,
    openProtocol?: OpenProtocolId,
  ): Promise<InspectorDetail> {
    return this.api.inspect(runId, questionId, protocol, openProtocol);
  }

  mergeComparison(evaluationId: string, protocol: ProtocolId): Promise<MergeComparison> {
    return this.api.mergeComparison(evaluationId, protocol);
  }

  suiteSummary(suiteId: string): Promise<SuiteSummary> {
    return this.api.suiteSummary(suiteId);
  }

  exportSuite(suiteId: string, kind: 'json' | 'csv'): Promise<string> {
    return this.api.exportSuite(suiteId, kind);
  }

  exportResults(
    runId: string,
    protocol: ProtocolId,
    openProtocol?: OpenProtocolId,
  ): Promise<string> {
    return this.api.exportResults(runId, protocol, openProtocol);
  }

  exportCsv(runId: string, protocol: ProtocolId, openProtocol?: OpenProtocolId): Promise<string> {
    return this.api.exportCsv(runId, protocol, openProtocol);
  }

  exportMarkdown(
    runId: string,
    protocol: ProtocolId,
    locale: Locale = 'en',
    openProtocol?: OpenProtocolId,
  ): Promise<string> {
    return this.api.exportMarkdown(runId, protocol, locale, openProtocol);
  }

  exportHtml(
    runId: string,
    protocol: ProtocolId,
    charts: Record<string, string>,
    locale: Locale = 'en',
    openProtocol?: OpenProtocolId,
  ): Promise<string> {
    return this.api.exportHtml(runId, protocol, charts, locale, openProtocol);
  }

  resultsFile(runId: string, protocol: ProtocolId): Promise<ResultsFile> {
    return this.api.resultsFile(runId, protocol);
  }

  importResults(text: string, fileName: string): Promise<{ runId: string }> {
    return this.api.importResults(text, fileName);
  }

  mergeGroups(): Promise<MergeGroup[]> {
    return this.api.mergeGroups();
  }

  mergeShards(runIds: string[]): Promise<{ runId: string }> {
    return this.api.mergeShards(runIds);
  }

  leaderboard(protocol: ProtocolId, openProtocol?: OpenProtocolId): Promise<LeaderboardRow[]> {
    return this.api.leaderboard(protocol, openProtocol);
  }

  compare(a: string, b: string, protocol: ProtocolId): Promise<Comparison> {
    return this.api.compare(a, b, protocol);
  }

  terminate(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
