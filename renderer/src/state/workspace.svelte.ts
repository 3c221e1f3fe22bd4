// The workspace: one source of truth for what is in front of the person — the data set (and how it
// is read), the model, the settings, the project's runs and the selected run — and the rule that
// keeps every view honest: a run's results are shown only while the data and the model are the
// ones it was trained on. When either changes, whatever depended on the old ones is cleared or
// re-scoped here, in one place: the selected run, the training progress card, the inspector's
// choice, the tuning ranges and messages.
import { untrack } from 'svelte';
import { dataScope, modelScope } from '../../../common/project/run-scope';
import { fitModelToData, type DataFit } from '../../../common/model/fit-to-data';
import { graphState } from './graph.svelte';
import { workbench } from './workbench.svelte';
import { runs, type RunView } from './runs.svelte';
import { training } from './training.svelte';
import { tuning } from './tuning.svelte';
import { inspect } from './inspect.svelte';

class Workspace {
  /** The data part of the scope: the data set and how it is read. */
  readonly dataKey = $derived(dataScope(workbench.datasetId, workbench.settings));
  /** The model part of the scope: its layers and their settings. */
  readonly modelKey = $derived(graphState.graph.layers.length ? modelScope(graphState.topology()) : 'empty');
  readonly scope = $derived(`${this.dataKey}|${this.modelKey}`);

  /** The selected run when it belongs to the current data and model; otherwise none. */
  get selectedRun(): RunView | null {
    const r = runs.selected;
    return r && r.scope === this.scope ? r : null;
  }

  /** Runs of the current data and model (their curves can be overlaid, their results shown). */
  get runsInScope(): RunView[] {
    return runs.runs.filter((r) => r.scope === this.scope);
  }

  /** Shows the latest run of the current data and model (none when there is none). */
  selectLatestInScope(): void {
    runs.select(this.runsInScope.at(-1)?.id ?? null);
  }

  /** Whether the model can take the chosen data, and if not, what to change (and whether Glasswing can). */
  get fit(): DataFit {
    const ds = workbench.dataset;
    if (!ds || !graphState.graph.layers.length) return { ok: true };
    return fitModelToData(graphState.topology(), { inputShape: ds.inputShape, task: ds.task ?? 'classification', outputs: ds.task === 'regression' ? 1 : ds.classes.length }, ds.name);
  }

  /** Why Train is disabled, in words, or null when it can start. */
  get trainBlocker(): string | null {
    if (training.running) return null;
    if (workbench.loadingModel) return 'The model is loading…';
    if (!workbench.dataset) {
      const missing = workbench.missingData;
      return missing ? `This project's data could not be read: ${missing.problem} Choose the data again in the Data view.` : 'Choose the data to train on in the Data view.';
    }
    if (graphState.graph.layers.length <= 1) return 'Build a model first: drag layers onto the canvas in the Build view, or choose a template.';
    // A model file trains as the engine loaded it (its own checks), whatever the canvas makes of it.
    const file = graphState.fromFile;
    const ds = workbench.dataset;
    if (file && ds?.kind === 'images') {
      // The engine reads the images at the file's input size and scale; only the classes must match.
      const out = graphState.summary.outputShape?.at(-1);
      const want = ds.task === 'regression' ? 1 : ds.classes.length;
      if (out !== undefined && out !== null && out !== want) {
        return `${file.name} predicts ${out} ${out === 1 ? 'value' : 'classes'}; ${ds.name} has ${want}. To learn these classes from its features, use it as a transfer backbone with a new head (Tune & export → Transfer learning).`;
      }
      return null;
    }
    const errors = graphState.summary.errors;
    if (errors.length) return `The model has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`} to fix in the Build view: ${errors[0]!.layer ? `${errors[0]!.layer}: ` : ''}${errors[0]!.message}`;
    const fit = this.fit;
    return fit.ok ? null : fit.problem;
  }

  /** Fits "Your model" to the chosen data (one undoable edit); returns what changed. */
  fitToData(): string | null {
    const fit = this.fit;
    if (fit.ok || !fit.fitted) return null;
    graphState.loadTopology(fit.fitted, graphState.layout, graphState.fromTemplate);
    return fit.change;
  }
}

export const workspace = new Workspace();

/** What a scope change clears: results of another data set or model never stay on screen; those of this one come back. */
function rescope(): void {
  // Back on data and a model that have runs (Iris again after MNIST): their latest is shown.
  if (!runs.selected || runs.selected.scope !== workspace.scope) workspace.selectLatestInScope();
  training.clearResults();
  tuning.rescope(workspace.scope);
  inspect.rescope(workspace.selectedRun?.id ?? null);
}

$effect.root(() => {
  $effect(() => {
    void workspace.scope;
    untrack(rescope);
  });
  // A run that finishes on this page's data and model becomes the selected one.
  $effect(() => {
    const id = training.finishedRunId;
    if (id) untrack(() => runs.runs.some((r) => r.id === id && r.scope === workspace.scope) && runs.select(id));
  });
});
