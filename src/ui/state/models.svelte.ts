import { liveQuery } from 'dexie';
import type { ModelRecord } from '@mlc-ai/web-llm';
import { AppDatabase, type MergedModelRecord, type UserModelRecord } from '../../lib/db/database';
import { openMergedFile } from '../../lib/merge/opfs';
import { EngineClient } from '../../lib/engines/client';
import type { CachedModel, CustomMlcModel } from '../../lib/engines/protocol';
import { demoModelSpec } from '../../lib/engines/demo-model';
import {
  localFileSpec,
  mergedModelSpec,
  modelName,
  modelSpecOf,
  modelSpecOfRecord,
  parseModelRef,
  refOfModelSpec,
  sameModel,
  type ModelRef,
} from '../../lib/engines/model-ref';
import type { RunSpec } from '../../lib/eval/types';
import { defaultThreads } from '../../lib/engines/device';
import {
  assessDevice,
  probeDevice,
  type DeviceInfo,
  type DeviceVerdict,
} from '../../lib/engines/device';
import type { EngineErrorInfo } from '../../lib/engines/errors';
import { msg, TranslatableError, type Text } from '../../lib/i18n/translate';
import type {
  EngineDescription,
  GenerateResult,
  LoadProgress,
  ModelSpec,
  ScoreLettersResult,
} from '../../lib/engines/types';

export type EngineStatus = 'idle' | 'loading' | 'ready' | 'error';

/** The Model step: device, catalog, the loaded model, and a place to try it. */
export class ModelsState {
  device = $state<DeviceInfo | null>(null);
  verdicts = $derived<DeviceVerdict[]>(this.device ? assessDevice(this.device) : []);
  userModels = $state<UserModelRecord[]>([]);
  /** Models merged in this browser, newest first (their files in OPFS). */
  mergedModels = $state.raw<MergedModelRecord[]>([]);
  /** Local GGUF files picked in this visit (read in place, never uploaded, not kept). */
  localFiles = $state<{ id: string; file: File }[]>([]);
  status = $state<EngineStatus>('idle');
  loadingId = $state<string | null>(null);
  progress = $state<LoadProgress | null>(null);
  loaded = $state<EngineDescription | null>(null);
  loadedSpec = $state<ModelSpec | null>(null);
  error = $state<EngineErrorInfo | null>(null);
  notice = $state.raw<Text | null>(null);
  busy = $state(false);
  lastGenerate = $state<GenerateResult | null>(null);
  /** The text of the generation in flight, as it streams (null when none is running). */
  streaming = $state<string | null>(null);
  /** Try panel: show the text as it is generated (otherwise it appears when complete). */
  streamOutput = $state(true);
  lastScore = $state<ScoreLettersResult | null>(null);
  cached = $state<CachedModel[] | null>(null);
  /** web-llm's prebuilt models, fetched from the engine worker. */
  webLlmModels = $state.raw<ModelRecord[]>([]);
  /** CPU threads for GGUF models (more than one needs cross-origin isolation). */
  threads = $state(defaultThreads(navigator.hardwareConcurrency));

  readonly engine = new EngineClient();
  private readonly db = new AppDatabase();

  constructor() {
    liveQuery(() => this.db.models.toArray()).subscribe((m) => (this.userModels = m));
    liveQuery(() => this.db.mergedModels.orderBy('createdAt').reverse().toArray()).subscribe(
      (m) => (this.mergedModels = m),
    );
    void probeDevice().then((d) => (this.device = d));
    void this.engine.webLlmModelList().then((list) => (this.webLlmModels = list));
    void this.refreshCache();
    this.engine.onCrash = (state, detail) => {
      if (state === 'reloading') {
        this.notice = msg('engineReloading');
        this.status = 'loading';
      } else if (state === 'recovered') {
        this.notice = msg('engineRecovered');
        this.status = 'ready';
      } else {
        this.notice = msg('engineReloadFailed', { detail: detail ?? '' });
        this.status = 'error';
        this.loaded = null;
      }
    };
  }

  demoSpec(): ModelSpec {
    return { ...demoModelSpec(document.baseURI), threads: this.threads } as ModelSpec;
  }

  /** The spec of a model the user added, with this page's thread count. */
  userSpec(record: UserModelRecord): ModelSpec {
    return modelSpecOfRecord(record, this.threads);
  }

  /** The spec of a local file picked in this visit. */
  fileSpec(file: File): ModelSpec {
    return localFileSpec(file, this.threads);
  }

  /** The spec of a merged model, its file opened from the private file system. */
  async mergedSpec(record: MergedModelRecord): Promise<ModelSpec> {
    return mergedModelSpec(
      record.id,
      await openMergedFile(record.fileName),
      record.label,
      this.threads,
    );
  }

  /** The loaded model as run specs name it; null when none is loaded. */
  get loadedRef(): ModelRef | null {
    return this.loaded && this.loadedSpec ? refOfModelSpec(this.loadedSpec) : null;
  }

  /**
   * Make sure a run's own model is the loaded one: load it when another (or none) is loaded.
   * Throws, naming the model, when it cannot be loaded here.
   */
  async ensureModelFor(spec: RunSpec): Promise<void> {
    const parsed = parseModelRef(spec.model, spec);
    if (!parsed.ref)
      throw new TranslatableError(msg('runModelInvalid', { problems: parsed.messages }));
    const wanted = parsed.ref;
    if (sameModel(this.loadedRef, wanted)) return;
    // A run from before custom MLC models kept their addresses: the user's model of that id.
    const custom =
      wanted.kind === 'mlc'
        ? this.userModels.find((m) => m.backend === 'webllm' && m.id === wanted.model && m.modelUrl)
        : undefined;
    if (custom) {
      if (this.loadedSpec?.backend === 'webllm' && this.loaded && this.loadedSpec.id === custom.id)
        return;
      await this.load(this.userSpec(custom));
      if (!this.loaded)
        throw new TranslatableError(
          msg('runModelNotLoaded', { model: custom.id, reason: this.loadFailure() }),
        );
      return;
    }
    const merged =
      wanted.kind === 'merged' ? await this.db.mergedModels.get(wanted.mergedId) : undefined;
    const modelSpec = modelSpecOf(wanted, {
      base: document.baseURI,
      threads: this.threads,
      localFile: (name) => this.localFiles.find((f) => f.file.name === name)?.file,
      mergedFile: merged && {
        id: merged.id,
        file: await openMergedFile(merged.fileName),
        label: merged.label,
      },
    });
    await this.load(modelSpec);
    if (!this.loaded) {
      throw new TranslatableError(
        msg('runModelNotLoaded', { model: modelName(wanted), reason: this.loadFailure() }),
      );
    }
  }

  /** Why the last load failed, for a message that names the model. */
  private loadFailure(): Text {
    if (!this.error) return msg('loadingCancelled');
    return this.error.i18n?.message ?? this.error.message;
  }

  async load(spec: ModelSpec): Promise<void> {
    this.status = 'loading';
    this.loadingId = spec.id;
    this.progress = null;
    this.error = null;
    this.notice = null;
    this.lastGenerate = null;
    this.lastScore = null;
    if ('url' in spec && spec.url) void navigator.storage?.persist?.().catch(() => false);
    const result = await this.engine.load(
      $state.snapshot(spec) as ModelSpec,
      (p) => (this.progress = p),
    );
    this.loadingId = null;
    if (result.ok) {
      this.loaded = result.value;
      this.loadedSpec = spec;
      this.status = 'ready';
    } else {
      this.loaded = null;
      this.loadedSpec = null;
      this.error = result.error;
      this.status = result.error.code === 'cancelled' ? 'idle' : 'error';
      if (result.error.code === 'cancelled') this.error = null;
    }
    void this.refreshCache();
  }

  async cancelLoad(): Promise<void> {
    await this.engine.cancelLoad();
  }

  async unload(): Promise<void> {
    await this.engine.unload();
    this.loaded = null;
    this.loadedSpec = null;
    this.status = 'idle';
  }

  async generate(
    prompt: string,
    maxTokens: number,
    logitBias?: Record<number, number>,
  ): Promise<void> {
    this.busy = true;
    this.error = null;
    this.lastGenerate = null;
    this.streaming = '';
    const r = await this.engine.generate(
      {
        prompt: { messages: [{ role: 'user', content: prompt }] },
        maxTokens,
        temperature: 0,
        seed: 1,
        logitBias,
      },
      this.streamOutput
        ? (text) => {
            if (this.streaming !== null) this.streaming = text;
          }
        : undefined,
    );
    const streamed = this.streaming ?? '';
    this.busy = false;
    this.streaming = null;
    // wllama returns no text for a stopped generation; keep what was shown.
    if (r.ok) this.lastGenerate = { ...r.value, text: r.value.text || streamed };
    else this.error = r.error;
  }

  /** Stops the generation in flight; what was generated so far is kept as its result. */
  stopGenerating(): void {
    void this.engine.interrupt();
  }

  async scoreLetters(prompt: string, letters: string[]): Promise<void> {
    this.busy = true;
    this.error = null;
    const r = await this.engine.scoreLetters({
      prompt: { messages: [{ role: 'user', content: prompt }] },
      letters,
      seed: 1,
    });
    this.busy = false;
    if (r.ok) this.lastScore = r.value;
    else this.error = r.error;
  }

  async addUserModel(record: Omit<UserModelRecord, 'addedAt'>): Promise<void> {
    await this.db.models.put({ ...record, addedAt: new Date().toISOString() });
  }

  async removeUserModel(id: string): Promise<void> {
    await this.db.models.delete(id);
    // Its cached files are now listed by their address, so they can still be deleted.
    void this.refreshCache();
  }

  addLocalFiles(files: File[]): void {
    for (const file of files) {
      const id = localFileSpec(file).id;
      this.localFiles = [...this.localFiles.filter((f) => f.id !== id), { id, file }];
    }
  }

  async refreshCache(): Promise<void> {
    this.cached = await this.engine.listCached(await this.customMlcModels());
  }

  async deleteCached(entry: CachedModel): Promise<void> {
    await this.engine.deleteCached(
      $state.snapshot(entry) as CachedModel,
      await this.customMlcModels(),
    );
    await this.refreshCache();
  }

  /** Read from the database, not `userModels`, which may not have arrived yet. */
  private async customMlcModels(): Promise<CustomMlcModel[]> {
    return (await this.db.models.toArray()).flatMap((m) =>
      m.backend === 'webllm' && m.modelUrl && m.modelLibUrl
        ? [{ id: m.id, modelUrl: m.modelUrl, modelLibUrl: m.modelLibUrl }]
        : [],
    );
  }
}
