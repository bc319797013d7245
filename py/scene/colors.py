"""Colours and sizes of the picture: light and dark palettes, head colours, colour maps.

Every colour is an (r, g, b) or (r, g, b, a) tuple of 0-255 numbers, as `canvas.api`
takes them. Text colours are chosen to reach a WCAG contrast of at least 4.5:1
against what they sit on (`contrast`, tested). Heads are told apart by the
Okabe-Ito colours, which stay distinct for the common kinds of colour blindness,
and by a dash pattern each, so they differ even without hue.

The colour maps quantise their input to LEVELS steps: neighbouring cells of equal
colour can then be filled in one go, and the picture does not shimmer while
numbers change a little.
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

LEVELS = 32  # steps of the sequential and diverging colour maps

OKABE_ITO_LIGHT = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
OKABE_ITO_DARK = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#D55E00", "#0072B2", "#FFFFFF")
HEAD_DASHES = ((0, 0), (9, 4), (2, 3), (14, 4), (5, 5), (1, 6), (18, 5), (7, 2))  # (dash, gap) px per head

# Colour-map stops, from low to high: Blues for weights, orange-white-purple (PuOr) for signed numbers.
_SEQUENTIAL = {False: ("#F7FBFF", "#C6DBEF", "#6BAED6", "#2171B5", "#08306B"),
               True: ("#1E2127", "#1F3A5F", "#2F6DB3", "#74B3F0", "#E3F1FF")}
_DIVERGING = {False: ("#B35806", "#F1A340", "#F7F7F7", "#998EC3", "#542788"),
              True: ("#F6A54A", "#7A4A16", "#1E2127", "#4B3F86", "#B9AEF0")}


@dataclass(frozen=True)
class Palette:
    dark: bool
    large: bool  # projector mode: larger text, stronger lines, full-contrast ink
    background: tuple  # the canvas
    panel: tuple  # behind matrices and legends
    ink: tuple  # text and outlines
    muted: tuple  # secondary text, still >= 4.5:1 on background and panel
    grid: tuple  # hairlines, chip borders
    accent: tuple  # the selected query
    accent_ink: tuple  # text on accent
    chip: tuple  # token chips
    hover: tuple  # the outline of what the pointer is over
    comparison: tuple  # stage 3's uniform "being compared" beams
    hatch: tuple  # masked cells
    heads: tuple  # one colour per head (Okabe-Ito), cycled past 8
    dashes: tuple  # one (dash, gap) per head
    text: int  # body text size, px
    small: int  # labels and cell numbers, px (never below 12)
    least: int  # the smallest text, px: a dense heatmap's row labels, so that every row keeps its token
    title: int  # stage titles, px
    chip_text: int  # the largest token text, px
    line: float  # outline width, px


def palette(dark, large=False):  # bool, bool -> Palette
    """The light or dark palette; `large` is the projector variant (bigger, higher contrast)."""
    if dark:
        colors = dict(background="#1E2127", panel="#262A32", ink="#FFFFFF" if large else "#ECEEF2",
                      muted="#C9CED6" if large else "#AAB1BD", grid="#4A505B", accent="#7FB0FF",
                      accent_ink="#0B1220", chip="#2C313B", hover="#F0C24B", comparison="#9AA3B0",
                      hatch="#5C6370")
    else:
        colors = dict(background="#FFFFFF", panel="#F5F6F8", ink="#000000" if large else "#1B1E23",
                      muted="#3D434C" if large else "#545B66", grid="#C3C8D0", accent="#1F5FBF",
                      accent_ink="#FFFFFF", chip="#FFFFFF", hover="#B35806", comparison="#7A828E",
                      hatch="#A9AFB8")
    heads = OKABE_ITO_DARK if dark else OKABE_ITO_LIGHT
    return Palette(dark=dark, large=large, **{k: hex_rgb(v) for k, v in colors.items()},
                   heads=tuple(hex_rgb(h) for h in heads), dashes=HEAD_DASHES,
                   text=16 if large else 13, small=14 if large else 12, least=13 if large else 10, title=19 if large else 15,
                   chip_text=22 if large else 18, line=2.0 if large else 1.0)


def head_color(pal, head):  # Palette, int -> (r, g, b)
    return pal.heads[head % len(pal.heads)]


def head_dash(pal, head):  # Palette, int -> (dash, gap)
    return pal.dashes[head % len(pal.dashes)]


def hex_rgb(h):  # "#rrggbb" -> (r, g, b)
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def rgba(rgb, alpha=1.0):  # (r, g, b), float 0..1 -> (r, g, b, a) 0..255
    return (*rgb[:3], 255.0 * alpha)


def sequential(values, pal):  # [...] in [0, 1] -> [..., 4]
    """Weights to colour: pale (0) to deep (1) on light backgrounds, dark to bright on dark ones."""
    return _ramp(np.clip(values, 0.0, 1.0), _SEQUENTIAL[pal.dark])


def diverging(values, limit, pal):  # [...], float > 0 -> [..., 4]
    """Signed numbers to colour: orange below 0, neutral at 0, purple above; ±limit is full strength."""
    return _ramp(np.clip(0.5 + 0.5 * np.asarray(values) / limit, 0.0, 1.0), _DIVERGING[pal.dark])


def ink_for(colors, pal):  # [..., 4] -> [..., 4]
    """Black or white text for each background colour, whichever contrasts more (always >= 4.58:1)."""
    dark_ink, light_ink = np.array(rgba((0, 0, 0))), np.array(rgba((255, 255, 255)))
    lum = luminance(np.asarray(colors)[..., :3])
    dark_wins = (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05)
    return np.where(dark_wins[..., None], dark_ink, light_ink)


def luminance(rgb):  # [..., 3] 0..255 -> [...]
    """WCAG relative luminance."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a, b):  # (r, g, b), (r, g, b) -> float
    """WCAG contrast ratio between two colours, 1 to 21."""
    la, lb = sorted((float(luminance(a[:3])), float(luminance(b[:3]))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _ramp(u, stops):  # [...] in [0, 1], hex stops -> [..., 4]
    """Piecewise-linear colour ramp through `stops`, quantised to LEVELS steps."""
    level = np.round(np.asarray(u, dtype=np.float64) * (LEVELS - 1)).astype(np.intp)
    return _table(stops)[level]


@lru_cache(maxsize=8)
def _table(stops):  # hex stops -> [LEVELS, 4]: the ramp's colour at each level
    at = np.linspace(0.0, 1.0, len(stops))
    rgb = np.array([hex_rgb(s) for s in stops], dtype=np.float64)  # [stops, 3]
    u = np.linspace(0.0, 1.0, LEVELS)
    table = np.column_stack([np.interp(u, at, rgb[:, c]) for c in range(3)] + [np.full(LEVELS, 255.0)])
    table.flags.writeable = False
    return table
