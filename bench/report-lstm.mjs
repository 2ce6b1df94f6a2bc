// RESULTS.md's recurrent part: issue 15's targets, and the loss curve of the lstm task per library.
import { fmt, speedup, times } from './report.mjs';

/** The lines of the recurrent targets and the loss curve (none when the lstm workloads did not run). */
export function renderLstm({ rows, workloads, lossCurve }) {
  const out = [];
  const byId = (id) => workloads.find((w) => w.id === id);
  const row = (id, library, backend) => rows.find((r) => r.workload === id && r.library === library && r.backend === backend);
  if (!rows.some((r) => r.workload.startsWith('lstm'))) return out;

  out.push('## Targets (issue 15)', '');
  out.push('"neurite" is batch 1, as brain.js and synaptic (one sequence per step) and the tfjs row it is held to; "neurite batch 16" is beside "tfjs batch 16".', '');
  out.push('| target | measured | met |', '|---|---|---|');
  const ratio = (id, mine, theirs) => speedup(byId(id), row(id, ...mine)?.figure, row(id, ...theirs)?.figure);
  // A goal of undefined: a comparison for context, with no target.
  const target = (text, id, mine, theirs, goal, extra = '') => {
    if (!rows.some((r) => r.workload === id)) return;
    const r = ratio(id, mine, theirs);
    const a = row(id, ...mine)?.figure;
    const b = row(id, ...theirs)?.figure;
    const measured = r === undefined ? 'missing figures' : `${times(r)} (${fmt(a)} vs ${fmt(b)} ${byId(id).unit})${extra}`;
    const met = r === undefined ? 'not measured' : goal === undefined ? '-' : r >= goal ? 'yes' : '**no**';
    out.push(`| ${text} | ${measured} | ${met} |`);
  };
  const batch16 = (id, theirs) => {
    const r = ratio(id, ['neurite batch 16', 'wasm'], theirs);
    return r === undefined ? '' : `; neurite batch 16: ${times(r)}`;
  };
  target('lstm: training ≥ 20× brain.js timesteps/s', 'lstm', ['neurite', 'wasm'], ['brain.js', 'js'], 20, batch16('lstm', ['brain.js', 'js']));
  target('lstm-forecast: ≥ 50× brain.js', 'lstm-forecast', ['neurite', 'wasm'], ['brain.js', 'js'], 50);
  target('lstm: ≥ 100× tfjs layers wasm at batch 1', 'lstm', ['neurite', 'wasm'], ['tfjs', 'wasm'], 100);
  target('lstm: neurite batch 16 vs tfjs batch 16 (no target; context)', 'lstm', ['neurite batch 16', 'wasm'], ['tfjs batch 16', 'wasm'], undefined);
  target('lstm: neurite wasm beats js at batch 16 (batch 1: in the table above)', 'lstm', ['neurite batch 16', 'wasm'], ['neurite batch 16', 'js'], 1.0000001);
  out.push('');

  if (lossCurve) {
    const { checkpoints, baseline, curves } = lossCurve;
    out.push('## lstm: the loss curve', '');
    out.push(`Training MSE on the 64 series (in their units) after each number of epochs, and the seconds of training so far; adam 0.01 for neurite and tfjs, brain.js's own rule at 0.01. Repeating the current value scores ${baseline.toPrecision(3)}.`, '');
    out.push(`| epochs | ${curves.map((c) => c.label).join(' | ')} |`, `|---:|${curves.map(() => '---:|').join('')}`);
    checkpoints.forEach((epoch, k) => {
      const cells = curves.map((c) => (c.mse[k] === undefined ? (k === c.mse.length && c.error ? c.error.replace(/\|/g, '\\|') : '') : `${c.mse[k].toPrecision(3)} (${c.seconds[k].toFixed(2)} s)`));
      out.push(`| ${epoch} | ${cells.join(' | ')} |`);
    });
    out.push('');
  }
  return out;
}
