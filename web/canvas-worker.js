// The canvas in a worker: the frames that the page's render loop records are replayed
// here, off the main thread (see `surface` in canvas.js, which sends these messages).
import { pictures, replay } from './canvas.js';

let ctx = null;

onmessage = ({ data }) => {
  switch (data.kind) {
    case 'canvas': ctx = data.canvas.getContext('2d'); break;
    case 'resize': [ctx.canvas.width, ctx.canvas.height] = [data.width, data.height]; break;
    case 'draw':
      replay(ctx, data.ops, data.size, data.strings, data.dpr);
      postMessage({ kind: 'spare', ops: data.ops }, [data.ops.buffer]); // back to the page, to be reused
      break;
    case 'blob':
      ctx.canvas.convertToBlob({ type: data.type }).then((value) => postMessage({ id: data.id, value }));
      break;
    case 'pixels':
      postMessage({ id: data.id, value: ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height) });
      break;
    case 'pictures':
      if (data.enabled !== undefined) pictures.enabled = data.enabled;
      postMessage({ id: data.id, value: pictures.stamped });
      break;
    default: throw new Error(`canvas worker: unknown message ${data.kind}`);
  }
};
