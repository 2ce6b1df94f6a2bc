// The series page: the user draws a curve on the left of the canvas; an LSTM in a worker learns it and draws its
// continuation on the right, every few epochs. The page publishes its state in the DOM (for people and tests).
import { output, showBackend, showFailure } from './draw';
import { CURVE_STEPS, FORECAST_STEPS, type CurveMessage, type FromSeriesWorker } from './series-protocol';

const canvas = document.querySelector<HTMLCanvasElement>('#curve')!;
const TOTAL = CURVE_STEPS + FORECAST_STEPS;
const BLUE = '#1f6fd1';
const ORANGE = '#e0701a';

/** The curve shown at first: four periods of a wave with a faster ripple on it, so there is something to learn. */
const defaultCurve = (t: number) => 0.6 * Math.sin((2 * Math.PI * t) / 30) + 0.25 * Math.sin((2 * Math.PI * t) / 10);

let curve: number[] = Array.from({ length: CURVE_STEPS }, (_, t) => defaultCurve(t));
let isDefault = true;
let forecast: Float64Array | null = null;
// While drawing: the value set at each step so far (NaN: not yet).
let drawing: Float64Array | null = null;
let lastStep = -1;
let redraw = true;
let generation = 0;

const worker = new Worker(new URL('./series-worker.ts', import.meta.url), { type: 'module' });

function sendCurve(): void {
  const message: CurveMessage = { type: 'curve', values: Float64Array.from(curve), generation: ++generation };
  worker.postMessage(message, [message.values.buffer]);
  forecast = null;
  output('epoch').value = '0';
  output('loss').value = '–';
  output('forecast-error').value = '–';
  document.body.dataset.epoch = '0';
  redraw = true;
}

worker.onmessage = ({ data }: MessageEvent<FromSeriesWorker>) => {
  if (data.type === 'ready') {
    showBackend(data);
  } else if (data.type === 'progress') {
    // Reports still on their way about the previous curve are dropped.
    if (data.generation !== generation) return;
    forecast = data.forecast;
    output('epoch').value = String(data.epoch);
    output('loss').value = data.loss.toFixed(4);
    if (isDefault) {
      // How far the forecast strays from the default curve's true continuation, in the canvas's units.
      let error = 0;
      forecast.forEach((value, k) => (error += Math.abs(value - defaultCurve(CURVE_STEPS + k)) / FORECAST_STEPS));
      output('forecast-error').value = error.toFixed(3);
    }
    document.body.dataset.epoch = String(data.epoch);
    redraw = true;
  } else {
    showFailure(`Training failed: ${data.message}`);
  }
};
worker.onerror = (event) => showFailure(`Worker error: ${event.message}`);

const xOf = (step: number) => (step / (TOTAL - 1)) * canvas.width;
const yOf = (value: number) => ((1 - value) / 2) * canvas.height;

/** The step and value under a pointer event, or null right of the drawing area. */
function pointer(event: PointerEvent): { step: number; value: number } | null {
  const px = (event.offsetX / canvas.clientWidth) * canvas.width;
  const py = (event.offsetY / canvas.clientHeight) * canvas.height;
  const step = Math.round((px / canvas.width) * (TOTAL - 1));
  if (step < 0 || step >= CURVE_STEPS) return null;
  return { step, value: Math.max(-1, Math.min(1, 1 - (py / canvas.height) * 2)) };
}

canvas.addEventListener('pointerdown', (event) => {
  drawing = new Float64Array(CURVE_STEPS).fill(NaN);
  lastStep = -1;
  canvas.setPointerCapture(event.pointerId);
  mark(event);
});
canvas.addEventListener('pointermove', (event) => {
  if (drawing) mark(event);
});
canvas.addEventListener('pointerup', () => {
  if (!drawing) return;
  const filled = fillGaps(drawing);
  drawing = null;
  if (filled) {
    curve = filled;
    isDefault = false;
    sendCurve();
  }
});

/** Sets the steps between the last pointer position and this one, so a fast stroke leaves no holes. */
function mark(event: PointerEvent): void {
  const at = pointer(event);
  if (!at || !drawing) return;
  const from = lastStep < 0 ? at.step : lastStep;
  const fromValue = lastStep < 0 ? at.value : drawing[lastStep]!;
  const direction = Math.sign(at.step - from) || 1;
  for (let s = from; s !== at.step + direction; s += direction) {
    drawing[s] = at.step === from ? at.value : fromValue + ((at.value - fromValue) * (s - from)) / (at.step - from);
  }
  lastStep = at.step;
  redraw = true;
}

/** The drawn steps with the gaps filled in straight lines (and the ends held level), or null with fewer than 2 drawn. */
function fillGaps(values: Float64Array): number[] | null {
  const known = Array.from(values.keys()).filter((s) => !Number.isNaN(values[s]!));
  if (known.length < 2) return null;
  return Array.from(values, (value, s) => {
    if (!Number.isNaN(value)) return value;
    const right = known.find((k) => k > s);
    const left = [...known].reverse().find((k) => k < s);
    if (left === undefined) return values[right!]!;
    if (right === undefined) return values[left]!;
    return values[left]! + ((values[right]! - values[left]!) * (s - left)) / (right - left);
  });
}

document.querySelector('#reset')!.addEventListener('click', () => {
  curve = Array.from({ length: CURVE_STEPS }, (_, t) => defaultCurve(t));
  isDefault = true;
  sendCurve();
});

function line(values: ArrayLike<number>, firstStep: number, colour: string, dashed = false): void {
  const context = canvas.getContext('2d')!;
  context.beginPath();
  let started = false;
  for (let k = 0; k < values.length; k++) {
    if (Number.isNaN(values[k]!)) continue;
    if (started) context.lineTo(xOf(firstStep + k), yOf(values[k]!));
    else context.moveTo(xOf(firstStep + k), yOf(values[k]!));
    started = true;
  }
  context.setLineDash(dashed ? [6, 4] : []);
  context.strokeStyle = colour;
  context.lineWidth = 2;
  context.stroke();
  context.setLineDash([]);
}

function draw(): void {
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#f3f3f3';
  context.fillRect(xOf(CURVE_STEPS - 1), 0, canvas.width - xOf(CURVE_STEPS - 1), canvas.height);
  context.strokeStyle = '#ddd';
  context.beginPath();
  context.moveTo(0, yOf(0));
  context.lineTo(canvas.width, yOf(0));
  context.stroke();
  if (drawing) {
    line(drawing, 0, BLUE);
    return;
  }
  line(curve, 0, BLUE);
  // The forecast starts from the curve's last value, so the two lines join.
  if (forecast) line([curve[CURVE_STEPS - 1]!, ...forecast], CURVE_STEPS - 1, ORANGE, true);
}

// Draws at most once per frame, however often the worker reports.
function frame(): void {
  if (redraw) {
    draw();
    redraw = false;
  }
  requestAnimationFrame(frame);
}

sendCurve();
requestAnimationFrame(frame);
