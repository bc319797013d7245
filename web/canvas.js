// Replays the display list that Python's canvas layer (py/canvas/) records each frame.
// It decides nothing: every shape, colour and position comes from Python. The opcodes
// and their arguments are defined once, in py/canvas/display_list.py (OPS); build.py writes
// them into display-ops.js, which this module imports.
//
// Where the replay runs: in a worker (web/canvas-worker.js) when the browser can hand
// the canvas over (transferControlToOffscreen), so that replaying and rasterising each
// frame leave the page's main thread, where Python and the controls run; otherwise
// here, on the main thread. `surface` below is the one door Python uses for both.

import { OP, BEZIER_FIELDS } from './display-ops.js';

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const MONO = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace';
const H_ALIGN = ['left', 'center', 'right'];
const V_ALIGN = ['top', 'middle', 'bottom', 'alphabetic'];

const rgba = (r, g, b, a) => `rgba(${r | 0},${g | 0},${b | 0},${(a / 255).toFixed(3)})`;
const font = (size, bold, mono) => `${bold ? '600 ' : ''}${size}px ${mono ? MONO : SANS}`;

export function replay(ctx, ops, size, joinedStrings, dpr) {
  const strings = joinedStrings.length ? joinedStrings.split('\0') : [];
  // Start from p5's defaults, as py/canvas/api.py assumes (DEFAULT_STYLE).
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  defaults(ctx);
  run(ctx, ops, 0, size, strings, 0, dpr);
  pictures.endFrame();
}

function defaults(ctx) {
  ctx.fillStyle = '#ffffff';
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 1;
  ctx.font = font(14, 0, 0);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.setLineDash([]);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.globalAlpha = 1;
}

// Replays ops[from, to): `base` is the index of text 0 of the current recorded segment (string_base).
function run(ctx, ops, from, to, strings, base, dpr) {
  const state = { fill: true, stroke: true };
  const saved = [];
  const cssWidth = ctx.canvas.width / dpr;
  const cssHeight = ctx.canvas.height / dpr;
  let i = from;
  while (i < to) {
    const op = ops[i];
    const a = i + 1;
    switch (op) {
      case OP.BACKGROUND:
        ctx.clearRect(0, 0, cssWidth, cssHeight);
        ctx.save();
        ctx.fillStyle = rgba(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]);
        ctx.fillRect(0, 0, cssWidth, cssHeight);
        ctx.restore();
        i += 5; break;
      case OP.FILL: ctx.fillStyle = rgba(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]); state.fill = true; i += 5; break;
      case OP.NO_FILL: state.fill = false; i += 1; break;
      case OP.STROKE: ctx.strokeStyle = rgba(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]); state.stroke = true; i += 5; break;
      case OP.NO_STROKE: state.stroke = false; i += 1; break;
      case OP.STROKE_WEIGHT: ctx.lineWidth = ops[a]; i += 2; break;
      case OP.LINE:
        if (state.stroke) {
          ctx.beginPath(); ctx.moveTo(ops[a], ops[a + 1]); ctx.lineTo(ops[a + 2], ops[a + 3]); ctx.stroke();
        }
        i += 5; break;
      case OP.RECT:
        ctx.beginPath();
        if (ops[a + 4] > 0) ctx.roundRect(ops[a], ops[a + 1], ops[a + 2], ops[a + 3], ops[a + 4]);
        else ctx.rect(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]);
        if (state.fill) ctx.fill();
        if (state.stroke) ctx.stroke();
        i += 6; break;
      case OP.ELLIPSE:
        ctx.beginPath();
        ctx.ellipse(ops[a], ops[a + 1], ops[a + 2] / 2, ops[a + 3] / 2, 0, 0, 2 * Math.PI);
        if (state.fill) ctx.fill();
        if (state.stroke) ctx.stroke();
        i += 5; break;
      case OP.BEZIER:
        if (state.stroke) {
          ctx.beginPath(); ctx.moveTo(ops[a], ops[a + 1]);
          ctx.bezierCurveTo(ops[a + 2], ops[a + 3], ops[a + 4], ops[a + 5], ops[a + 6], ops[a + 7]);
          ctx.stroke();
        }
        i += 9; break;
      case OP.TEXT:
        if (state.fill) ctx.fillText(strings[base + ops[a]], ops[a + 1], ops[a + 2]);
        i += 4; break;
      case OP.FONT: ctx.font = font(ops[a], ops[a + 1], ops[a + 2]); i += 4; break;
      case OP.TEXT_ALIGN: ctx.textAlign = H_ALIGN[ops[a]]; ctx.textBaseline = V_ALIGN[ops[a + 1]]; i += 3; break;
      case OP.PUSH: ctx.save(); saved.push({ ...state }); i += 1; break;
      case OP.POP: ctx.restore(); Object.assign(state, saved.pop()); i += 1; break;
      case OP.TRANSLATE: ctx.translate(ops[a], ops[a + 1]); i += 3; break;
      case OP.ROTATE: ctx.rotate(ops[a]); i += 2; break;
      case OP.BEZIERS: i = beziers(ctx, ops, a + 1, ops[a]); break;
      case OP.LINE_DASH: ctx.setLineDash(ops[a] > 0 ? [ops[a], ops[a + 1]] : []); i += 3; break;
      case OP.CLIP_RECT: ctx.beginPath(); ctx.rect(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]); ctx.clip(); i += 5; break;
      case OP.RECTS: i = rects(ctx, ops, a + 2, ops[a], ops[a + 1], state); break;
      case OP.OPACITY: ctx.globalAlpha *= ops[a]; i += 2; break;
      case OP.STRING_BASE: base = ops[a]; i += 2; break;
      case OP.PICTURE: i = pictures.draw(ctx, ops, i, strings, base, dpr); break;
      case OP.CELLS: i = cells(ctx, ops, a + 2, ops[a], ops[a + 1], state); break;
      default: throw new Error(`display list: unknown opcode ${op} at ${i}`);
    }
  }
}

// Still layers as bitmaps (p5's createGraphics). A "picture" command names a recorded
// segment, the rectangle it stays inside and how many numbers follow. The first time a
// segment comes, its numbers are painted as usual. The second time (it is still: a
// panel fading, the chips during a transition), they are painted once into an offscreen
// canvas of the rectangle's size, and from then on that bitmap is stamped and the numbers
// skipped: one drawImage, under the current opacity and offset, instead of every shape.
export const pictures = {
  MAX: 12, // bitmaps kept, least recently used dropped first (a transition uses at most 6)
  MIN_NUMBERS: 2000, // smaller segments draw faster than a bitmap of their rectangle is stamped
  kept: new Map(), // segment id -> { canvas, x, y, w, h, dpr }
  seen: new Map(), // segment id -> true once painted without a bitmap
  stamped: 0, // bitmaps drawn, for tests and the benchmark
  enabled: true, // false: paint every picture shape by shape (to compare, in tests and the benchmark)
  draw(ctx, ops, i, strings, base, dpr) {
    const id = ops[i + 1], x = ops[i + 2], y = ops[i + 3], w = ops[i + 4], h = ops[i + 5], count = ops[i + 6];
    const start = i + 7;
    if (!this.enabled || count < this.MIN_NUMBERS) return start;
    let pic = this.kept.get(id);
    if (pic && pic.dpr !== dpr) {
      pic.canvas.close(); // painted for another pixel ratio: paint it again
      pic = undefined;
    }
    if (!pic && !this.seen.has(id)) {
      this.seen.set(id, true);
      return start; // first time: paint the numbers that follow, like any segment
    }
    if (!pic) pic = this.paint(ops, start, start + count, strings, base, dpr, x, y, w, h);
    this.kept.delete(id);
    this.kept.set(id, pic); // most recently used last
    ctx.drawImage(pic.canvas, pic.x, pic.y, pic.w, pic.h);
    this.stamped++;
    return start + count;
  },
  paint(ops, from, to, strings, base, dpr, x, y, w, h) {
    // Snap to device pixels, so that a stamp at rest lands exactly on the canvas's pixels.
    const left = Math.floor(x * dpr), top = Math.floor(y * dpr);
    const width = Math.max(1, Math.ceil((x + w) * dpr) - left);
    const height = Math.max(1, Math.ceil((y + h) * dpr) - top);
    const offscreen = new OffscreenCanvas(width, height);
    const ctx = offscreen.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, -left, -top);
    defaults(ctx);
    run(ctx, ops, from, to, strings, base, dpr);
    const canvas = offscreen.transferToImageBitmap();
    return { canvas, x: left / dpr, y: top / dpr, w: width / dpr, h: height / dpr, dpr };
  },
  endFrame() {
    for (const [id, pic] of this.kept) {
      if (this.kept.size <= this.MAX) break;
      pic.canvas.close(); // a bitmap's pixels are not JS heap: free them now, not when collected
      this.kept.delete(id);
    }
    if (this.seen.size > 4096) this.seen.clear();
  },
};

// Many curves, each with its own colour, opacity and width. Consecutive curves that
// share a style go into one path, so thousands of beams cost a few dozen strokes.
function beziers(ctx, ops, start, count) {
  ctx.save();
  let key = '';
  let open = false;
  for (let c = 0; c < count; c++) {
    const o = start + c * BEZIER_FIELDS;
    const style = `${ops[o + 8]},${ops[o + 9]},${ops[o + 10]},${ops[o + 11]},${ops[o + 12]}`;
    if (style !== key) {
      if (open) ctx.stroke();
      key = style;
      ctx.strokeStyle = rgba(ops[o + 8], ops[o + 9], ops[o + 10], ops[o + 11]);
      ctx.lineWidth = ops[o + 12];
      ctx.beginPath();
      open = true;
    }
    ctx.moveTo(ops[o], ops[o + 1]);
    ctx.bezierCurveTo(ops[o + 2], ops[o + 3], ops[o + 4], ops[o + 5], ops[o + 6], ops[o + 7]);
  }
  if (open) ctx.stroke();
  ctx.restore();
  return start + count * BEZIER_FIELDS;
}

// Many rectangles in one style: one path, one fill, one stroke.
function rects(ctx, ops, start, count, radius, state) {
  ctx.beginPath();
  for (let r = 0; r < count; r++) {
    const o = start + 4 * r;
    if (radius > 0) ctx.roundRect(ops[o], ops[o + 1], ops[o + 2], ops[o + 3], radius);
    else ctx.rect(ops[o], ops[o + 1], ops[o + 2], ops[o + 3]);
  }
  if (state.fill) ctx.fill();
  if (state.stroke) ctx.stroke();
  return start + 4 * count;
}

// Many rectangles, each with its own fill (a heatmap). Python sends them sorted by colour,
// so a run of one colour becomes one path and one fill; the current stroke outlines each run.
function cells(ctx, ops, start, count, radius, state) {
  ctx.save();
  let key = -1;
  for (let r = 0; r < count; r++) {
    const o = start + 8 * r;
    const colour = ((ops[o + 4] * 256 + ops[o + 5]) * 256 + ops[o + 6]) * 256 + ops[o + 7];
    if (colour !== key) {
      if (key >= 0) paint(ctx, state);
      key = colour;
      ctx.fillStyle = rgba(ops[o + 4], ops[o + 5], ops[o + 6], ops[o + 7]);
      ctx.beginPath();
    }
    if (radius > 0) ctx.roundRect(ops[o], ops[o + 1], ops[o + 2], ops[o + 3], radius);
    else ctx.rect(ops[o], ops[o + 1], ops[o + 2], ops[o + 3]);
  }
  if (key >= 0) paint(ctx, state);
  ctx.restore();
  return start + 8 * count;
}

function paint(ctx, state) {
  ctx.fill();
  if (state.stroke) ctx.stroke();
}

// The canvas as Python sees it: attach once, then resize and draw; the rest is for
// exporting a PNG and for tests, and answers with a Promise wherever the worker must reply.
const surface = {
  mode: '', // 'worker' or 'main'
  attach(canvas) {
    this.canvas = canvas;
    if (canvas.transferControlToOffscreen && window.Worker) {
      try {
        const offscreen = canvas.transferControlToOffscreen();
        this.worker = new Worker(new URL('./canvas-worker.js', import.meta.url), { type: 'module' });
        this.worker.onerror = (event) => console.error(`[attention-explorer] canvas worker: ${event.message}`);
        this.worker.onmessage = ({ data }) => {
          if (data.kind === 'spare') return void this.spare.push(data.ops);
          this.replies.get(data.id)(data.value);
          this.replies.delete(data.id);
        };
        this.worker.postMessage({ kind: 'canvas', canvas: offscreen }, [offscreen]);
        this.mode = 'worker';
        return this.mode;
      } catch (error) {
        console.warn(`[attention-explorer] drawing on the main thread: ${error.message}`);
      }
    }
    this.ctx = canvas.getContext('2d');
    this.mode = 'main';
    return this.mode;
  },
  width: 0,
  height: 0,
  resize(width, height) { // the backing store in device pixels
    [this.width, this.height] = [width, height];
    if (this.worker) this.worker.postMessage({ kind: 'resize', width, height });
    else [this.canvas.width, this.canvas.height] = [width, height];
  },
  spare: [], // buffers the worker has handed back after replaying them, to be filled again
  draw(ops, size, strings, dpr) {
    if (!this.worker) return replay(this.ctx, ops, size, strings, dpr);
    // Python refills `ops` next frame, so the frame moves to the worker in a buffer of its own;
    // the worker returns it, and two buffers take turns (a new one only when a frame outgrows them).
    let frame = this.spare.pop();
    if (!frame || frame.length < size) frame = new Float32Array(ops.length);
    frame.set(ops.subarray(0, size));
    this.worker.postMessage({ kind: 'draw', ops: frame, size, strings, dpr }, [frame.buffer]);
  },
  blob(type) { // -> Promise<Blob> of what the canvas shows
    if (!this.worker) return new Promise((resolve) => this.canvas.toBlob(resolve, type));
    return this.ask({ kind: 'blob', type });
  },
  pixels() { // -> Promise<ImageData>
    if (!this.worker) return Promise.resolve(this.ctx.getImageData(0, 0, this.width, this.height));
    return this.ask({ kind: 'pixels' });
  },
  pictures(enabled) { // -> Promise<bitmaps stamped so far>; `enabled` (optional) switches them on or off
    if (!this.worker) {
      if (enabled !== undefined) pictures.enabled = enabled;
      return Promise.resolve(pictures.stamped);
    }
    return this.ask({ kind: 'pictures', enabled });
  },
  replies: new Map(),
  asked: 0,
  ask(message) {
    const id = ++this.asked;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.worker.postMessage({ ...message, id });
    });
  },
};

if (typeof window !== 'undefined') window.aeCanvas = { surface };
