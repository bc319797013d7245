"""How every number the learner reads is written, on the canvas and in the HTML: one formatter.

Fixed decimals, a true minus sign "−" (U+2212) and never "−0"; percentages with one
decimal ("34.5%"); vectors as "[−0.316, −0.577]". The canvas may write a number with
fewer decimals only when they are zeros (`exact_text`): 0.5 is "0.5", never "0" or "1".
`parse` reads any of these back. Exports (CSV, JSON, code) keep ASCII numbers: not from here.
"""
import math

MINUS = "\N{MINUS SIGN}"
CANVAS_DECIMALS = 2  # the precision of the canvas's matrices: what a number drawn there stands for


def number(x, decimals=3):
    """x with `decimals` decimals and a true minus sign; never "−0"."""
    text = f"{float(x):.{decimals}f}"
    if text.startswith("-"):
        return text[1:] if float(text) == 0 else MINUS + text[1:]
    return text


def percent(w, decimals=1):
    """A weight as a percentage written once: 0.345 -> "34.5%"."""
    return number(100 * float(w), decimals) + "%"


def vector(v, decimals=3):
    """A vector as "[−0.316, −0.577]"."""
    return "[" + ", ".join(number(x, decimals) for x in v) + "]"


def knob(x):
    """A setting the learner typed or slid (a temperature): as short as it is exact, "0.5", "2"."""
    return f"{float(x):g}".replace("-", MINUS)


def exact_text(x, decimals=CANVAS_DECIMALS):
    """x at `decimals` decimals, trailing zeros dropped: 2.0 -> "2", 1.5 -> "1.5", 0.766 -> "0.77"."""
    text = number(x, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def decimals_of(text):
    """How many decimals a written number shows: "0.77" -> 2, "34.5%" -> 1, "2" -> 0."""
    digits = text.rstrip("%")
    return len(digits) - digits.index(".") - 1 if "." in digits else 0


def parse(text):
    """A written number read back as a float ("−0.316" -> -0.316, "34.5%" -> 34.5); ValueError if it is not one."""
    value = float(text.rstrip("%").replace(MINUS, "-"))
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value
