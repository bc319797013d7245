// Replays the display list that Python's canvas layer (py/canvas/) records each frame.
// It decides nothing: every shape, colour and position comes from Python. The opcodes
// and their arguments are defined in py/canvas/display_list.py; keep the two in step.

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const MONO = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace';
const H_ALIGN = ['left', 'center', 'right'];
const V_ALIGN = ['top', 'middle', 'bottom', 'alphabetic'];
const BEZIER_FIELDS = 13;

const rgba = (r, g, b, a) => `rgba(${r | 0},${g | 0},${b | 0},${(a / 255).toFixed(3)})`;
const font = (size, bold, mono) => `${bold ? '600 ' : ''}${size}px ${mono ? MONO : SANS}`;

function replay(ctx, ops, size, joinedStrings, dpr) {
  const strings = joinedStrings.length ? joinedStrings.split('\0') : [];
  const state = { fill: true, stroke: true };
  let base = 0; // index of text 0 of the current recorded segment (string_base)
  const saved = [];
  const cssWidth = ctx.canvas.width / dpr;
  const cssHeight = ctx.canvas.height / dpr;
  // Start from p5's defaults, as py/canvas/api.py assumes (DEFAULT_STYLE).
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
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
  let i = 0;
  while (i < size) {
    const op = ops[i];
    const a = i + 1;
    switch (op) {
      case 1: // background
        ctx.clearRect(0, 0, cssWidth, cssHeight);
        ctx.save();
        ctx.fillStyle = rgba(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]);
        ctx.fillRect(0, 0, cssWidth, cssHeight);
        ctx.restore();
        i += 5; break;
      case 2: ctx.fillStyle = rgba(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]); state.fill = true; i += 5; break;
      case 3: state.fill = false; i += 1; break;
      case 4: ctx.strokeStyle = rgba(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]); state.stroke = true; i += 5; break;
      case 5: state.stroke = false; i += 1; break;
      case 6: ctx.lineWidth = ops[a]; i += 2; break;
      case 7: // line
        if (state.stroke) {
          ctx.beginPath(); ctx.moveTo(ops[a], ops[a + 1]); ctx.lineTo(ops[a + 2], ops[a + 3]); ctx.stroke();
        }
        i += 5; break;
      case 8: // rect x y w h radius
        ctx.beginPath();
        if (ops[a + 4] > 0) ctx.roundRect(ops[a], ops[a + 1], ops[a + 2], ops[a + 3], ops[a + 4]);
        else ctx.rect(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]);
        if (state.fill) ctx.fill();
        if (state.stroke) ctx.stroke();
        i += 6; break;
      case 9: // ellipse cx cy w h
        ctx.beginPath();
        ctx.ellipse(ops[a], ops[a + 1], ops[a + 2] / 2, ops[a + 3] / 2, 0, 0, 2 * Math.PI);
        if (state.fill) ctx.fill();
        if (state.stroke) ctx.stroke();
        i += 5; break;
      case 10: // bezier
        if (state.stroke) {
          ctx.beginPath(); ctx.moveTo(ops[a], ops[a + 1]);
          ctx.bezierCurveTo(ops[a + 2], ops[a + 3], ops[a + 4], ops[a + 5], ops[a + 6], ops[a + 7]);
          ctx.stroke();
        }
        i += 9; break;
      case 11: // text
        if (state.fill) ctx.fillText(strings[base + ops[a]], ops[a + 1], ops[a + 2]);
        i += 4; break;
      case 12: ctx.font = font(ops[a], ops[a + 1], ops[a + 2]); i += 4; break;
      case 13: ctx.textAlign = H_ALIGN[ops[a]]; ctx.textBaseline = V_ALIGN[ops[a + 1]]; i += 3; break;
      case 14: ctx.save(); saved.push({ ...state }); i += 1; break;
      case 15: ctx.restore(); Object.assign(state, saved.pop()); i += 1; break;
      case 16: ctx.translate(ops[a], ops[a + 1]); i += 3; break;
      case 17: i = beziers(ctx, ops, a + 1, ops[a]); break;
      case 18: ctx.setLineDash(ops[a] > 0 ? [ops[a], ops[a + 1]] : []); i += 3; break;
      case 19: ctx.beginPath(); ctx.rect(ops[a], ops[a + 1], ops[a + 2], ops[a + 3]); ctx.clip(); i += 5; break;
      case 20: i = rects(ctx, ops, a + 2, ops[a], ops[a + 1], state); break;
      case 21: ctx.globalAlpha *= ops[a]; i += 2; break;
      case 22: base = ops[a]; i += 2; break;
      default: throw new Error(`display list: unknown opcode ${op} at ${i}`);
    }
  }
}

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

function measure(ctx, text, size, bold, mono) {
  ctx.save();
  ctx.font = font(size, bold, mono);
  const width = ctx.measureText(text).width;
  ctx.restore();
  return width;
}

window.aeCanvas = { replay, measure };
