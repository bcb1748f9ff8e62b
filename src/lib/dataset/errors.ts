import { english, msg, type Message } from '../i18n/translate';

/**
 * Why a dataset could not be imported; `message` is written for the person using the app, in
 * English, and `i18n` is the same text as a Message the UI translates.
 */
export type DatasetErrorCode =
  | 'http'
  | 'network'
  | 'offline'
  | 'not-dataset'
  | 'missing-columns'
  | 'encoding'
  | 'empty'
  | 'no-valid-rows'
  | 'quota'
  | 'cancelled'
  | 'storage'
  | 'crashed';

export class DatasetError extends Error {
  override name = 'DatasetError';
  readonly i18n: Message | undefined;
  constructor(
    readonly code: DatasetErrorCode,
    message: string | Message,
  ) {
    super(english(message));
    this.i18n = typeof message === 'string' ? undefined : message;
  }
}

/** Plain, structured-cloneable form of a DatasetError for crossing worker boundaries. */
export interface DatasetErrorInfo {
  code: DatasetErrorCode;
  message: string;
  i18n?: Message;
}

/** The info of a message in both forms. */
export function errorInfo(code: DatasetErrorCode, message: Message): DatasetErrorInfo {
  return { code, message: english(message), i18n: message };
}

export function toErrorInfo(err: unknown): DatasetErrorInfo {
  if (err instanceof DatasetError) {
    return err.i18n
      ? { code: err.code, message: err.message, i18n: err.i18n }
      : { code: err.code, message: err.message };
  }
  if (isQuotaError(err)) {
    return errorInfo('quota', msg('dsQuota'));
  }
  const message = err instanceof Error ? err.message : String(err);
  return errorInfo('storage', msg('dsSavingFailed', { message }));
}

/** IndexedDB reports a full quota as QuotaExceededError, sometimes wrapped by Dexie. */
export function isQuotaError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const named = e as { name?: string; inner?: unknown; cause?: unknown };
    if (named.name === 'QuotaExceededError') return true;
    e = named.inner ?? named.cause;
  }
  return false;
}
