// What every inspector panel reads of the shared selection (the run, its layers, the chosen sample)
// and the two things a panel may report back to it: the prediction a reply carries, and an error
// for the page. An interface, so the panels need not import the coordinator that owns them.
import type { InspectLayersReply, InspectRunInfo, SamplePrediction, SampleRef } from '../../../../common/ipc/contract';

export interface InspectSelection {
  readonly runId: string | null;
  readonly run: InspectRunInfo | null;
  readonly info: InspectLayersReply | null;
  readonly sample: SampleRef | null;
  /** The chosen sample's source row, when it is a test example of this run. */
  readonly sampleDatasetIndex: number | null;
  showPrediction(p: SamplePrediction): void;
  showError(message: string): void;
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
