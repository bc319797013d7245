"""The real model, all-MiniLM-L6-v2, in the page: its sentence, its forward pass, what the page shows of it.

The model's weights arrive in the browser once a learner asks for them (main/ fetches
the pack, `attention.model_pack.read_pack` turns the bytes into arrays). From then on
the page holds a `Loaded` model in its state, and a sentence is:

    text --wordpiece.encode--> [CLS] pieces [SEP] --minilm.forward--> 6 layers x 12 heads of attention

Layer l's attention is `attention_trace` on that layer's input, so everything the page
shows for the designed model (the five stages, beams, heatmaps, the cell arithmetic)
works on it unchanged: `computed(...)` hands the scene the selected layer's trace in
the same `Computed` the designed model fills. In the page a new sentence's forward pass
runs as a `Pass`, a few steps per task (main/), so that typing and drawing go on
meanwhile; `ready` says when a sentence can be shown at once.
"""

from dataclasses import dataclass
from functools import lru_cache
import time

import numpy as np

from attention import heads, minilm, model_pack, wordpiece
from attention.ops import entropy
from scene.numbers import number

LAYERS, HEADS, D_MODEL = minilm.LAYERS, minilm.HEADS, minilm.D_MODEL
MAX_PIECES = 64  # [CLS] + pieces + [SEP]: what the page draws legibly and computes within a frame's budget
NAME = "MiniLM-L6"
CREDIT = ("all-MiniLM-L6-v2 (sentence-transformers; MiniLM by Microsoft; Apache-2.0): "
          "6 layers × 12 heads, trained, run here in NumPy")


@dataclass(frozen=True, eq=False)
class Loaded:
    """The model once its files are in the page (compared by identity: there is one)."""

    weights: object  # attention.minilm.Weights
    vocab: dict  # WordPiece piece -> id


class Refused(ValueError):
    """A sentence the real model cannot take; the message is for the learner."""


def encode(loaded, text):  # Loaded, str -> wordpiece.Encoding
    """The sentence as the model's pieces; Refused when it is empty or too long for the page."""
    if not text.strip():
        raise Refused("Type at least one word.")
    try:
        return wordpiece.encode(text, loaded.vocab, max_pieces=MAX_PIECES)
    except wordpiece.TooManyPieces as exc:
        raise Refused(f"That sentence has {exc.pieces} pieces for the real model (with [CLS] and [SEP]); "
                      f"the page shows at most {MAX_PIECES}: shorten it.") from None


def missing_rows(loaded, ids):  # Loaded, tuple of int -> sorted indices of the embedding shards still to fetch
    """The page fetches a sentence's word-embedding rows with it (model_pack's shards), not all 30,522."""
    return tuple(model_pack.shards_for(ids, loaded.weights))


def add_rows(loaded, shards):  # Loaded, {index: bytes} -> None; ValueError if a shard is damaged
    for index, data in sorted(shards.items()):
        model_pack.add_shard(loaded.weights, index, data)


RUNS_KEPT = 8  # the forward passes remembered: the last few sentences, so typing back and forth is instant
_runs = {}  # (Loaded, ids) -> minilm.Run, oldest first


def ready(loaded, ids):  # Loaded, tuple of int -> bool
    """Whether this sentence's forward pass is done (remembered), so the page can show it at once."""
    return (loaded, tuple(ids)) in _runs


def run(loaded, ids):  # Loaded, tuple of int -> minilm.Run (all six layers)
    """The sentence's forward pass: remembered, or computed now in one go (the page computes it as a Pass)."""
    key = (loaded, tuple(ids))
    if key not in _runs:
        Pass(loaded, ids).advance(float("inf"))
    _remember(key, _runs[key])  # the most recently used is kept longest
    return _runs[key]


def needs_pass(state):  # ui.state.AppState -> bool
    """Whether showing this state would first need its sentence's forward pass (the page runs it as a Pass)."""
    return state.model == "minilm" and state.pieces is not None and not ready(state.real, state.pieces.ids)


def pass_status(job):  # Pass -> str: what the page says while it runs
    if job.layers_done < LAYERS:
        return f"computing layer {job.layers_done} (layers 0–{LAYERS - 1})"
    return "naming its heads"


class Pass:
    """One sentence's forward pass in small steps (minilm.forward_steps: a layer's attention, or half of its
    feed-forward), then the head labels of every layer and the designed-beside-real comparison, so that a
    long sentence never holds the page for more than a step: the page runs `advance` in short tasks and draws,
    and reads keys, in between. Once it is done the Run is remembered (`ready`) and every layer's view of it
    is in computed()'s cache: a layer or head change needs no work."""

    def __init__(self, loaded, ids, pieces=None, text=None):  # pieces and text: also label the heads, match them
        self.loaded, self.ids = loaded, tuple(ids)
        self.layers_done, self.longest = 0, 0.0  # layers computed; the longest step so far, seconds
        self._steps = self._all_steps(pieces, text)
        self.done = False

    def advance(self, budget, clock=time.perf_counter):  # seconds -> None; sets done at the end
        """Run steps for about `budget` seconds: at least one, and another only if the longest step so far
        still fits in what is left."""
        start = clock()
        while not self.done:
            before = clock()
            self.done = next(self._steps, None) is None
            self.longest = max(self.longest, clock() - before)
            if clock() - start + self.longest > budget:
                return

    def _all_steps(self, pieces, text):  # -> generator of what each step did, ending when all is done
        key = (self.loaded, self.ids)
        if key not in _runs:
            steps = minilm.forward_steps(np.asarray(self.ids, dtype=np.int64), self.loaded.weights)
            while True:
                try:
                    layer, part = next(steps)
                except StopIteration as finished:
                    _remember(key, finished.value)
                    break
                self.layers_done = layer + (part == minilm.PARTS[-1])
                yield part
        self.layers_done = LAYERS
        if pieces is not None:
            for layer in range(LAYERS):
                computed(self.loaded, pieces, layer)
                yield "labels"
            designed_matches(self.loaded, pieces, text)
            yield "designed beside real"


def _remember(key, result):
    _runs.pop(key, None)
    _runs[key] = result
    while len(_runs) > RUNS_KEPT:
        del _runs[next(iter(_runs))]


@lru_cache(maxsize=16)
def computed(loaded, pieces, layer):  # Loaded, wordpiece.Encoding, int -> ui.state.Computed for that layer
    """The selected layer as the scene and the HTML read it: its trace, its input, its heads named by what
    they do on this sentence (measured: attention.heads.label_heads)."""
    from ui.state import Computed  # noqa: PLC0415 - ui.state imports this module

    r = run(loaded, pieces.ids)
    trace, x = r.traces[layer], r.hidden[layer]  # the layer's attention, and its input h_l
    labels = heads.label_heads(trace.weights, pieces.word_of_piece)
    names = tuple(f"{label.label} {number(label.number, 2)}" for label in labels)
    explanations = tuple(f"A trained head (layer {layer}, head {h}): what it looks for was learned, not "
                         f"designed. {label.explanation}" for h, label in enumerate(labels))
    features = tuple(f"h{c}" for c in range(x.shape[1]))
    return Computed(trace, x, x, entropy(trace.weights), _plane(x), features, names, explanations, False,
                    plane="the inputs' two main directions (PCA)")


@lru_cache(maxsize=8)
def word_level(loaded, pieces, text):  # -> (tokens, designed [4, w, w], real [layers, heads, w, w], queries [w]) | None
    """The designed model's weights on the sentence's words beside every real head's word-level rows (pieces
    summed as keys, averaged as queries: heads.word_rows), and which words some piece covers (the queries that
    count). None when the designed model cannot take the sentence (more than 32 words)."""
    from attention.scenario import Scenario  # noqa: PLC0415 - the designed model, only for this comparison
    from attention.tokenizer import MAX_TOKENS, tokenize  # noqa: PLC0415
    from ui.state import compute  # noqa: PLC0415 - ui.state imports this module

    tokens = tuple(tokenize(text))
    if not 0 < len(tokens) <= MAX_TOKENS:
        return None
    try:
        token_of_piece = heads.tokens_of_pieces(pieces.word_of_piece, heads.align_words(tokens, pieces.words))
    except ValueError:
        return None
    designed = compute(Scenario(tokens=tokens)).trace.weights  # [4, w, w]
    rows = np.stack([heads.word_rows(t.weights, token_of_piece, n_words=len(tokens))
                     for t in run(loaded, pieces.ids).traces])  # [layers, heads, w, w]
    return tokens, designed, rows, heads.covered(token_of_piece, len(tokens))


@lru_cache(maxsize=8)
def designed_matches(loaded, pieces, text, top=2):  # -> ((designed head name, ((layer, head, overlap), ...)), ...)
    """Which real heads do what each designed head does, on this sentence: the designed model's weights on its
    words against the real model's word-level rows (word_level), every layer. () when the designed model cannot
    take the sentence (more than 32 words)."""
    from attention import model  # noqa: PLC0415 - the designed model, only for this comparison

    words = word_level(loaded, pieces, text)
    if words is None:
        return ()
    _, designed, rows, queries = words
    ranked = heads.match_designed(rows, designed, queries=queries)
    return tuple((info.name, tuple((m.layer, m.head, m.similarity) for m in matches[:top]))
                 for info, matches in zip(model.HEAD_INFO, ranked))


def _plane(x):  # [n, d_model] -> [n, 2]
    """The inputs' two main directions (principal components), for the Input stage's map."""
    centred = x.astype(np.float64) - x.mean(axis=0)
    if len(x) < 2 or not np.any(centred):
        return np.zeros((len(x), 2))
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    xy = np.zeros((len(x), 2))
    k = min(2, vt.shape[0])
    xy[:, :k] = centred @ vt[:k].T
    return xy
