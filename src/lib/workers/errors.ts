/**
 * Comlink sends a thrown Error across a worker as its name, message and stack only. A worker
 * that calls `keepErrorMessages()` before `Comlink.expose` sends the Error's `i18n` Message too
 * (a plain object: a key and its parameters), so the page shows it in the chosen language.
 * Nothing is needed on the page's side: Comlink copies every field it receives onto the Error
 * it throws there, where `messageOf`/`errorText` find it.
 */
import * as Comlink from 'comlink';
import { isMessage } from '../i18n/translate';

type Wire = { isError: boolean; value: Record<string, unknown> };

const KEPT = Symbol('keepErrorMessages');

export function keepErrorMessages(): void {
  const handler = Comlink.transferHandlers.get('throw') as
    (Comlink.TransferHandler<unknown, Wire> & { [KEPT]?: true }) | undefined;
  if (!handler || handler[KEPT]) return;
  const kept: Comlink.TransferHandler<unknown, Wire> & { [KEPT]: true } = {
    [KEPT]: true,
    canHandle: (value): value is unknown => handler.canHandle(value),
    serialize(value) {
      const [wire, transferables] = handler.serialize(value);
      const thrown = (value as { value?: unknown }).value;
      const i18n = (thrown as { i18n?: unknown } | null | undefined)?.i18n;
      if (wire.isError && thrown instanceof Error && isMessage(i18n)) {
        wire.value = { ...wire.value, i18n: structuredClone(i18n) };
      }
      return [wire, transferables];
    },
    deserialize: (wire) => handler.deserialize(wire),
  };
  Comlink.transferHandlers.set('throw', kept);
}
