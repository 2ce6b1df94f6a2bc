// Canvas drawing: the decision field with its points, and the loss curve.
import { FIELD_SIZE, type ReadyMessage } from './protocol';

/** Class colours as RGB, shared by points and the field's tint. */
export const CLASS_COLOURS: readonly [number, number, number][] = [[31, 111, 209], [224, 112, 26]];

export interface Point { x: number; y: number; label: number }

/** Page pixel → field coordinates in [-1, 1]², y up. */
export function toField(canvas: HTMLCanvasElement, px: number, py: number): { x: number; y: number } {
  return { x: (px / canvas.width) * 2 - 1, y: 1 - (py / canvas.height) * 2 };
}

/** Field coordinates → canvas pixel. */
export function toCanvas(canvas: HTMLCanvasElement, x: number, y: number): { px: number; py: number } {
  return { px: ((x + 1) / 2) * canvas.width, py: ((1 - y) / 2) * canvas.height };
}

// The field image is drawn at grid resolution then scaled up, so its pixels stay cheap.
const cells = document.createElement('canvas');
cells.width = cells.height = FIELD_SIZE;

/** Tints each grid cell towards the class the network predicts there, then draws the points on top. */
export function drawField(canvas: HTMLCanvasElement, field: Float64Array | null, points: readonly Point[]): void {
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  if (field) {
    const image = new ImageData(FIELD_SIZE, FIELD_SIZE);
    field.forEach((p, i) => {
      // Paler near p = 0.5, so the boundary shows as a light band.
      const strength = Math.abs(p - 0.5) * 2 * 0.45;
      const colour = CLASS_COLOURS[p > 0.5 ? 1 : 0]!;
      for (let c = 0; c < 3; c++) image.data[i * 4 + c] = Math.round(255 + (colour[c]! - 255) * strength);
      image.data[i * 4 + 3] = 255;
    });
    cells.getContext('2d')!.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(cells, 0, 0, canvas.width, canvas.height);
  }
  for (const point of points) {
    const { px, py } = toCanvas(canvas, point.x, point.y);
    context.beginPath();
    context.arc(px, py, 4.5, 0, Math.PI * 2);
    context.fillStyle = `rgb(${CLASS_COLOURS[point.label]!.join(',')})`;
    context.fill();
    context.lineWidth = 1.5;
    context.strokeStyle = '#fff';
    context.stroke();
  }
}

/** Plots loss against epoch, scaled to the largest loss seen. */
export function drawLoss(canvas: HTMLCanvasElement, history: readonly { epoch: number; loss: number }[]): void {
  const context = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = 24;
  context.clearRect(0, 0, width, height);
  context.fillStyle = '#666';
  context.font = '11px system-ui, sans-serif';
  context.fillText('loss', 4, 12);
  if (history.length < 2) return;
  const last = history[history.length - 1]!.epoch;
  const first = history[0]!.epoch;
  const top = Math.max(...history.map((h) => h.loss));
  context.fillText(top.toFixed(2), 4, pad);
  context.fillText(`epoch ${last}`, width - 70, height - 4);
  context.beginPath();
  history.forEach(({ epoch, loss }, i) => {
    const x = pad + ((epoch - first) / Math.max(1, last - first)) * (width - pad - 8);
    const y = height - pad + 8 - (loss / top) * (height - pad - 8 - 8);
    if (i === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  });
  context.strokeStyle = '#c0392b';
  context.lineWidth = 1.5;
  context.stroke();
}

/** The page's `<output id=…>` element. */
export const output = (id: string) => document.querySelector<HTMLOutputElement>(`#${id}`)!;

/** Shows the backend a worker's ready message names in the page's `#backend` and `#simd` outputs. */
export function showBackend({ backend, simd }: ReadyMessage): void {
  output('backend').value = backend;
  output('simd').value = backend === 'wasm' ? (simd ? '(SIMD)' : '(no SIMD)') : '';
}

/** Shows `text` in the page's `#failure` paragraph. */
export function showFailure(text: string): void {
  const failure = document.querySelector<HTMLParagraphElement>('#failure')!;
  failure.textContent = text;
  failure.hidden = false;
}
