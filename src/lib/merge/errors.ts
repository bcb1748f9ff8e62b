// Merge failures the user can act on.

export class IncompatibleModelsError extends Error {
  override name = 'IncompatibleModelsError';
  constructor(readonly mismatches: readonly string[]) {
    super(`the models cannot be merged: ${mismatches.join('; ')}`);
  }
}

export function compatibilityError(mismatches: readonly string[]): IncompatibleModelsError {
  return new IncompatibleModelsError(mismatches);
}
