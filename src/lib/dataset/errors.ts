/** Why a dataset could not be imported; `message` is written for the person using the app. */
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
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Plain, structured-cloneable form of a DatasetError for crossing worker boundaries. */
export interface DatasetErrorInfo {
  code: DatasetErrorCode;
  message: string;
}

export function toErrorInfo(err: unknown): DatasetErrorInfo {
  if (err instanceof DatasetError) return { code: err.code, message: err.message };
  if (isQuotaError(err)) {
    return {
      code: 'quota',
      message:
        'The browser ran out of storage for this site while saving the split. Nothing was kept. ' +
        'Delete splits you no longer need, allow persistent storage, or free disk space, then retry.',
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'storage', message: `Saving failed: ${message}` };
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
