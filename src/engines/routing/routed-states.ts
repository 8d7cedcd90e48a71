import type { InferenceEngine, ModelStates } from '../inference-engine';

/** Model states of a facade: each id asks the engine it is routed to; the lists join them all. */
export function routedStates(
  route: (id: string) => InferenceEngine,
  engines: readonly InferenceEngine[],
): ModelStates {
  return {
    ensure: (m) => route(m.id).ensure(m),
    status: (m) => route(m.id).status(m),
    statuses: () => engines.flatMap((e) => e.statuses()),
    unload: (m) => route(m.id).unload(m),
  };
}
