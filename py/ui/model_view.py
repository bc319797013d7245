"""The model view: the real model's 72 heads at once, and a designed head beside the real head most like it.

The model view is a grid of small heatmaps, one per (layer, head), of that head's weights on the
current sentence: layers are rows 0-5, heads columns 0-11. Each thumbnail is labelled as the head
menu labels it (ui.real.computed: attention.heads.label_heads' label and the number that earned it).
Its pixels are the head's n x n weights through the canvas's own colour map (scene.colors.sequential),
built here once per sentence and theme as one RGBA byte string; the page paints them and never asks
again while the pointer moves over the grid (hovering only changes `AppState.preview`).

"Designed beside real" opens one designed head and one real head as two heatmaps over the same
words: the designed model's weights on the sentence's words and the real head's word-level rows
(ui.real.word_level), with the share of attention both put on the same words.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from attention import heads
from scene.colors import ink_for, palette, sequential
from scene.numbers import number
from ui import real

# A pointer that rests on a head this long previews it on the canvas; one passing over heads on its way does
# not: a preview redraws the whole canvas for that head (30-60 ms of main-thread work at 32 pieces), and the
# grid keeps its 60 frames a second while the pointer crosses it. The keyboard previews at once.
PREVIEW_AFTER_MS = 60

MOVES = {"ArrowLeft": (0, -1), "ArrowRight": (0, 1), "ArrowUp": (-1, 0), "ArrowDown": (1, 0)}  # (layers, heads)


def head_text(layer, head):  # -> "layer 2, head 5": the real model's heads, counted from 0 as in links
    return f"layer {layer}, head {head}"


@lru_cache(maxsize=8)
def thumbnails(loaded, pieces):  # Loaded, Encoding -> ((layer, head, aria-label), ...) layer by layer
    """Each head's label as a screen reader hears it: "layer 0, head 2: previous token 1.00"."""
    return tuple((layer, head, f"{head_text(layer, head)}: {name}")
                 for layer in range(real.LAYERS)
                 for head, name in enumerate(real.computed(loaded, pieces, layer).head_names))


@lru_cache(maxsize=8)
def pixels(loaded, pieces, dark):  # Loaded, Encoding, bool -> bytes [layers * heads * n * n * 4] RGBA
    """Every head's weights as an n x n picture, in the colours of the canvas's heatmap (light or dark)."""
    weights = np.stack([t.weights for t in real.run(loaded, pieces.ids).traces])  # [layers, heads, n, n]
    return np.round(sequential(weights, palette(dark))).astype(np.uint8).tobytes()


@lru_cache(maxsize=8)
def grid_part(loaded, pieces, dark):  # -> the value dom.js's "heads" property paints
    """(n, column labels, row labels, thumbnails, pixels): everything the grid shows, for this sentence."""
    columns = tuple(str(h) for h in range(real.HEADS))
    rows = tuple(f"L{layer}" for layer in range(real.LAYERS))
    return len(pieces.ids), columns, rows, thumbnails(loaded, pieces), pixels(loaded, pieces, dark)


def describe(loaded, pieces, layer, head):  # -> "layer 2, head 5: previous token 1.00. On average each token..."
    """What the grid says under itself about the head the pointer or the focus is on: its label and why."""
    name = real.computed(loaded, pieces, layer).head_names[head]
    return f"{head_text(layer, head)}: {name}. {_labels(loaded, pieces, layer)[head].explanation}"


@lru_cache(maxsize=16)
def _labels(loaded, pieces, layer):  # -> tuple of heads.HeadLabel, the layer's heads on this sentence
    return heads.label_heads(real.run(loaded, pieces.ids).traces[layer].weights, pieces.word_of_piece)


def moved(layer, head, key):  # int, int, str -> (layer, head) | None
    """Arrow keys move between heads (wrapping along a row into the next), Home / End go to the row's ends."""
    if key == "Home":
        return layer, 0
    if key == "End":
        return layer, real.HEADS - 1
    if key not in MOVES:
        return None
    d_layer, d_head = MOVES[key]
    index = (layer * real.HEADS + head + d_layer * real.HEADS + d_head) % (real.LAYERS * real.HEADS)
    return divmod(index, real.HEADS)


# -- designed beside real ----------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """One designed head and one real head over the sentence's words (the designed model's tokens)."""

    designed_name: str  # "positional"
    layer: int
    head: int
    words: tuple  # [w] the designed model's tokens of the sentence
    designed: np.ndarray  # [w, w] the designed head's weights
    real: np.ndarray  # [w, w] the real head's word-level rows (not renormalised: markers' share left out)
    similarity: float  # heads.match_designed's: the share of attention both put on the same words


@lru_cache(maxsize=8)
def pair(loaded, pieces, text, designed, layer, head):  # -> Pair | None (the designed model cannot take the text)
    from attention import model  # noqa: PLC0415 - the designed model, only for this comparison

    words = real.word_level(loaded, pieces, text)
    if words is None:
        return None
    tokens, designed_weights, rows, queries = words
    (match,) = heads.match_designed(rows[layer:layer + 1, head:head + 1], designed_weights[designed:designed + 1],
                                    queries=queries)
    return Pair(model.HEAD_INFO[designed].name, layer, head, tokens, designed_weights[designed], rows[layer, head],
                match[0].similarity)


def heatmap(weights, words, dark):  # [w, w], [w] str, bool -> (column labels, rows of (word, ((text, bg, ink), ...)))
    """A table heatmap: each cell its weight with 2 decimals, on the canvas's colour for it, in readable ink."""
    pal = palette(dark)
    fills = sequential(weights, pal)  # [w, w, 4]
    inks = ink_for(fills, pal)
    return (tuple(words), tuple(
        (word, tuple((_cell(w), _css(fill), _css(ink)) for w, fill, ink in zip(row, fill_row, ink_row)))
        for word, row, fill_row, ink_row in zip(words, weights, fills, inks)))


def pair_part(p, dark):  # Pair | None, bool -> the pair dialog's entries (empty when no pair is open)
    if p is None:
        return dict.fromkeys(PAIR_TEXTS, "") | {"pair-designed.heatmap": ((), ()), "pair-real.heatmap": ((), ())}
    real_name = head_text(p.layer, p.head)
    return {
        "pair-title.text": f"Designed beside real: {p.designed_name} and {real_name}",
        "pair-similarity.text": f"They put {number(p.similarity, 2)} of their attention on the same words "
                                f"(1.00: the same pattern). Rows are query words, columns key words. The trained "
                                f"head's pieces are joined into words, and what it gives [CLS] and [SEP] is left "
                                f"out, so its rows may sum to less than 1.",
        "pair-designed-caption.text": f"designed: {p.designed_name}",
        "pair-real-caption.text": f"trained: {real_name}",
        "pair-open-designed.text": f"Open the designed {p.designed_name} head",
        "pair-open-real.text": f"Open {real_name}",
        "pair-designed.heatmap": heatmap(p.designed, p.words, dark),
        "pair-real.heatmap": heatmap(p.real, p.words, dark),
    }


PAIR_TEXTS = tuple(f"pair-{part}.text" for part in ("title", "similarity", "designed-caption", "real-caption",
                                                      "open-designed", "open-real"))


def _cell(w):  # a weight as its cell shows it: 2 decimals, "0" for what rounds to nothing
    text = number(w, 2)
    return "0" if text == "0.00" else text


def _css(rgba):  # (r, g, b, a) 0..255 -> "rgb(r g b)"
    r, g, b = (int(round(float(c))) for c in rgba[:3])
    return f"rgb({r} {g} {b})"
