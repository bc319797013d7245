// Downloads the real model's files (dist/model/) the first time a learner asks for them, with honest
// progress; Python (py/main/) turns the bytes into arrays. The service worker keeps them afterwards,
// so the real model works offline after its first use.

const BASE = './model/';

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url.replace('./', '')}`);
  return response;
}

// The body's bytes, reporting how many have arrived (decoded bytes: what `total` counts too).
async function bytesOf(response, onBytes) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onBytes(received);
  }
  const data = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) { data.set(chunk, offset); offset += chunk.length; }
  return data;
}

// onProgress(received bytes, total bytes) -> Promise<{manifest: string, vocab: string, data: Uint8Array}>
async function load(onProgress) {
  const manifest = await (await fetchOk(`${BASE}minilm-pack.json`)).text();
  const { data_file: dataFile, data_bytes: total } = JSON.parse(manifest);
  const vocab = await (await fetchOk(`${BASE}vocab.txt`)).text();
  const data = await bytesOf(await fetchOk(BASE + dataFile), (received) => onProgress(received, total));
  return { manifest, vocab, data };
}

// The word-embedding shards a sentence needs (paths relative to model/) -> Promise<[Uint8Array]>.
async function rows(paths) {
  return Promise.all(paths.map(async (path) => new Uint8Array(await (await fetchOk(BASE + path)).arrayBuffer())));
}

window.aeModel = { load, rows };
