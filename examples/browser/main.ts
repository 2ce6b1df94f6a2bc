// The playground page: owns the points, draws what the worker reports, and publishes its state in the DOM.
import { drawField, drawLoss, output, showBackend, showFailure, toField, type Point } from './draw';
import { twoMoons } from './moons';
import type { FromWorker, PointsMessage } from './protocol';

// The loss curve keeps at most this many samples, thinning older ones by half when full.
const HISTORY_LIMIT = 400;

const fieldCanvas = document.querySelector<HTMLCanvasElement>('#field')!;
const lossCanvas = document.querySelector<HTMLCanvasElement>('#loss-curve')!;
const classButton = document.querySelector<HTMLButtonElement>('#class')!;

let points: Point[] = twoMoons(100, 0.08, 7);
let field: Float64Array | null = null;
let history: { epoch: number; loss: number }[] = [];
let selectedClass = 0;
let redraw = true;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

function sendPoints(): void {
  const message: PointsMessage = {
    type: 'points',
    coordinates: Float64Array.from(points.flatMap((p) => [p.x, p.y])),
    labels: Uint8Array.from(points, (p) => p.label),
  };
  worker.postMessage(message, [message.coordinates.buffer, message.labels.buffer]);
  output('points').value = String(points.length);
  redraw = true;
}

worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
  if (data.type === 'ready') {
    showBackend(data);
  } else if (data.type === 'progress') {
    field = data.field;
    history.push({ epoch: data.epoch, loss: data.loss });
    if (history.length > HISTORY_LIMIT) history = history.filter((_, i) => i % 2 === 0 || i === history.length - 1);
    output('epoch').value = String(data.epoch);
    output('loss').value = data.loss.toFixed(4);
    output('accuracy').value = data.accuracy.toFixed(3);
    document.body.dataset.epoch = String(data.epoch);
    redraw = true;
  } else {
    showFailure(`Training failed: ${data.message}`);
  }
};
worker.onerror = (event) => showFailure(`Worker error: ${event.message}`);

fieldCanvas.addEventListener('click', (event) => {
  // offsetX/Y are measured from inside the border; clientWidth/Height exclude it too.
  const px = (event.offsetX / fieldCanvas.clientWidth) * fieldCanvas.width;
  const py = (event.offsetY / fieldCanvas.clientHeight) * fieldCanvas.height;
  points.push({ ...toField(fieldCanvas, px, py), label: event.shiftKey ? 1 - selectedClass : selectedClass });
  sendPoints();
});

classButton.addEventListener('click', () => {
  selectedClass = 1 - selectedClass;
  classButton.dataset.class = String(selectedClass);
  classButton.innerHTML = selectedClass === 0 ? '<span class="class-0">● blue</span>' : '<span class="class-1">● orange</span>';
});

document.querySelector('#reset')!.addEventListener('click', () => {
  points = twoMoons(100, 0.08, 7);
  sendPoints();
});

document.querySelector('#clear')!.addEventListener('click', () => {
  points = [];
  sendPoints();
});

// Draws at most once per frame, however often the worker reports.
function frame(): void {
  if (redraw) {
    drawField(fieldCanvas, field, points);
    drawLoss(lossCanvas, history);
    redraw = false;
  }
  requestAnimationFrame(frame);
}

sendPoints();
requestAnimationFrame(frame);
