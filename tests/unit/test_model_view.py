"""The model view (ui.model_view, ui.state's preview / open events) and designed beside real, side by side."""

from dataclasses import replace

import numpy as np
import pytest

from model_files import SENTENCE, loaded_or_skip
from scene.colors import palette, sequential
from ui import model_view, predict, real, view
from ui import state as ev
from ui.state import computed_of

WORDS = ("The", "animal", "didn't", "cross", "the", "street", "because", "it", "was", "too", "tired")


@pytest.fixture(scope="module")
def loaded():
    return loaded_or_skip()


@pytest.fixture
def on_real(loaded):
    return ev.model_loaded(ev.set_model(ev.edit_sentence(ev.initial_state(), SENTENCE), "minilm"), loaded)


@pytest.fixture
def opened(on_real):
    return ev.toggle_model_view(on_real)


def test_arrow_keys_move_along_rows_and_layers_wrapping_and_home_end_go_to_the_row_ends():
    assert model_view.moved(2, 5, "ArrowRight") == (2, 6)
    assert model_view.moved(2, 11, "ArrowRight") == (3, 0)  # along the row into the next layer
    assert model_view.moved(0, 0, "ArrowLeft") == (5, 11)  # and round from the first head to the last
    assert model_view.moved(2, 5, "ArrowDown") == (3, 5) and model_view.moved(2, 5, "ArrowUp") == (1, 5)
    assert model_view.moved(5, 3, "ArrowDown") == (0, 3)
    assert model_view.moved(4, 7, "Home") == (4, 0) and model_view.moved(4, 7, "End") == (4, 11)
    assert model_view.moved(4, 7, "Enter") is None and model_view.moved(4, 7, "h") is None


def test_every_head_is_labelled_as_the_head_menu_labels_it_with_the_number_that_earned_it(on_real, loaded):
    thumbs = model_view.thumbnails(loaded, on_real.pieces)
    assert [(layer, head) for layer, head, _ in thumbs] == [(l, h) for l in range(6) for h in range(12)]
    for layer in range(real.LAYERS):
        menu = view.page_view(ev.select_layer(on_real, layer), computed_of(ev.select_layer(on_real, layer)))
        names = [label.split(". ", 1)[1] for _, label in menu["head.options"]]
        assert [text for l, _, text in thumbs if l == layer] == [
            f"layer {layer}, head {h}: {name}" for h, name in enumerate(names)]
    assert thumbs[2][2] == "layer 0, head 2: previous token 1.00"  # measured (heads.label_heads), not written down
    assert model_view.describe(loaded, on_real.pieces, 0, 2) == (
        "layer 0, head 2: previous token 1.00. On average each token gives 1.00 of its attention to the token just "
        "before it (the mean over the 14 tokens that have one).")


def test_each_thumbnail_is_its_heads_weights_in_the_canvas_colours_light_or_dark(on_real, loaded):
    n = len(on_real.pieces.ids)
    weights = np.stack([t.weights for t in real.run(loaded, on_real.pieces.ids).traces])  # [6, 12, n, n]
    for dark in (False, True):
        picture = np.frombuffer(model_view.pixels(loaded, on_real.pieces, dark), dtype=np.uint8)
        picture = picture.reshape(real.LAYERS, real.HEADS, n, n, 4)
        np.testing.assert_array_equal(picture, np.round(sequential(weights, palette(dark))).astype(np.uint8))
        assert (picture[..., 3] == 255).all()
    light, dark = (model_view.pixels(loaded, on_real.pieces, d) for d in (False, True))
    assert light != dark
    n_shown, columns, rows, thumbs, pixels = model_view.grid_part(loaded, on_real.pieces, False)
    assert (n_shown, columns[-1], rows[-1], len(thumbs), pixels) == (n, "11", "L5", 72, light)


def test_the_model_view_opens_with_the_real_model_and_says_what_the_selected_head_does(on_real, opened):
    closed = view.page_view(on_real, computed_of(on_real))
    assert closed["model-view.hidden"] and not closed["model-view-toggle.hidden"]
    assert "model-view-grid.heads" not in closed  # nothing is built for a closed view
    shown = view.page_view(opened, computed_of(opened))
    assert not shown["model-view.hidden"] and shown["model-view-toggle.@aria-pressed"] == "true"
    assert shown["model-view-grid.current"] == f"{opened.layer},{opened.head}"
    assert shown["model-view-preview.text"].startswith(f"Selected: layer {opened.layer}, head {opened.head}: ")
    designed = ev.initial_state()
    assert view.page_view(designed, computed_of(designed))["model-view-toggle.hidden"], "4 heads: the menu has them"
    assert ev.set_model(opened, "toy").model_view, "kept for when the real model is back"
    toy = ev.set_model(opened, "toy")
    assert view.page_view(toy, computed_of(toy))["model-view.hidden"]


def test_hovering_a_head_previews_it_on_the_canvas_only_and_leaving_reverts(opened):
    hovered = ev.preview_head(opened, 3, 1)
    assert hovered.preview == (3, 1) and (hovered.layer, hovered.head) == (opened.layer, opened.head)
    drawn = ev.previewed(hovered)
    assert (drawn.layer, drawn.head) == (3, 1) and drawn.preview is None
    np.testing.assert_array_equal(computed_of(drawn).trace.weights, computed_of(ev.select_layer(opened, 3)).trace.weights)
    shown = view.page_view(hovered, computed_of(hovered))
    assert shown["canvas.@data-preview"] == "3,1"
    assert shown["model-view-preview.text"].startswith("Preview: layer 3, head 1: ")
    assert shown["weights-table.rows"] == view.page_view(opened, computed_of(opened))["weights-table.rows"]
    assert ev.preview_head(hovered, 3, 1) is hovered  # the same head again changes nothing (no redraw)
    left = ev.end_preview(hovered)
    assert left.preview is None and ev.previewed(left) is left
    assert view.page_view(left, computed_of(left))["canvas.@data-preview"] is None
    assert ev.end_preview(left) is left


def test_hovering_and_opening_heads_never_runs_the_model_again(opened, monkeypatch):
    for layer in range(real.LAYERS):
        computed_of(ev.select_layer(opened, layer))
    passes = []
    monkeypatch.setattr(real.Pass, "advance", lambda self, seconds: passes.append(self))
    state = opened
    for layer, head in ((0, 2), (3, 1), (5, 11), (2, 7)):
        state = ev.preview_head(state, layer, head)
        computed_of(ev.previewed(state))
        view.page_view(state, computed_of(state))
        state = ev.open_head(state, layer, head)
        view.page_view(state, computed_of(state))
    assert passes == []  # every layer's trace was there: no forward pass ran


def test_no_preview_without_the_open_view_the_real_model_or_while_a_question_hides_the_weights(on_real, opened):
    assert ev.preview_head(on_real, 3, 1) is on_real  # the view is closed
    asking = predict.settle(predict.set_mode(opened, True))
    assert asking.predict.hidden
    assert ev.preview_head(asking, 3, 1) is asking
    shown = view.page_view(asking, computed_of(asking))
    assert shown["model-view-grid.hidden"] and "hidden until you answer" in shown["model-view-preview.text"]
    with pytest.raises(ValueError, match="layer 6, head 0 does not exist"):
        ev.preview_head(opened, 6, 0)
    with pytest.raises(ValueError, match="heads 0-11"):
        ev.open_head(opened, 0, 12)
    assert ev.set_model_view(ev.preview_head(opened, 1, 1), False).preview is None  # closing ends a preview


def test_clicking_a_head_opens_it_and_keeps_the_view_open(opened):
    s = ev.open_head(ev.preview_head(opened, 4, 7), 4, 7)
    assert (s.layer, s.head, s.preview, s.model_view) == (4, 7, None, True)
    shown = view.page_view(s, computed_of(s))
    assert shown["layer.value"] == "4" and shown["head.value"] == "7" and shown["model-view-grid.current"] == "4,7"
    assert shown["weights-table.rows"] == view.page_view(
        ev.select_head(ev.select_layer(opened, 4), 7), computed_of(ev.select_layer(opened, 4)))["weights-table.rows"]


# -- designed beside real ---------------------------------------------------------

def test_the_designed_match_list_has_a_button_per_pair_reading_as_the_lines_did(on_real):
    pairs = view.page_view(on_real, computed_of(on_real))["designed-match.matches"]
    assert [name for name, _ in pairs] == ["positional", "syntactic", "semantic", "coreference"]
    text, label, designed, layer, head = pairs[0][1][0]
    assert (designed, layer, head) == (0, 0, 2) and text.startswith("layer 0 head 2 (")
    assert label.startswith("positional beside layer 0 head 2, side by side")
    overlap = real.designed_matches(on_real.real, on_real.pieces, on_real.text)[0][1][0][2]
    assert view.match_lines(pairs)[0].startswith(f"positional: layer 0 head 2 ({overlap:.2f} shared), layer ")


def test_a_pair_is_the_designed_heads_weights_beside_the_real_heads_word_rows_on_the_same_words(on_real, loaded):
    p = model_view.pair(loaded, on_real.pieces, SENTENCE, 0, 0, 2)
    assert p.words == WORDS and p.designed_name == "positional" and (p.layer, p.head) == (0, 2)
    designed = ev.compute(replace(ev.initial_state().scenario, tokens=WORDS)).trace.weights[0]
    np.testing.assert_array_equal(p.designed, designed)
    tokens, _, rows, queries = real.word_level(loaded, on_real.pieces, SENTENCE)
    np.testing.assert_array_equal(p.real, rows[0, 2])
    assert p.real[1, 0] == pytest.approx(1.0, abs=0.005)  # 'animal' -> 'The': the previous-token head
    overlap = real.designed_matches(loaded, on_real.pieces, SENTENCE)[0][1][0][2]
    assert p.similarity == pytest.approx(overlap, abs=1e-12)  # the list's number (summed in another order)
    assert p.similarity == pytest.approx(np.minimum(p.real, p.designed).sum(axis=-1)[queries].mean())
    assert model_view.pair(loaded, on_real.pieces, " ".join(["word"] * 40), 0, 0, 2) is None  # too long for designed


def test_the_pair_dialog_shows_both_heatmaps_with_their_numbers_and_colours(on_real):
    s = ev.open_pair(on_real, 0, 0, 2)
    shown = view.page_view(s, computed_of(s))
    assert shown["pair.modal"] and shown["pair-title.text"] == "Designed beside real: positional and layer 0, head 2"
    assert "0.68 of their attention on the same words" in shown["pair-similarity.text"]
    for side in ("pair-designed", "pair-real"):
        columns, rows = shown[f"{side}.heatmap"]
        assert columns == WORDS and tuple(word for word, _ in rows) == WORDS
        assert all(len(cells) == len(WORDS) for _, cells in rows)
    _, rows = shown["pair-real.heatmap"]
    text, fill, ink = rows[1][1][0]
    assert text == "1.00" and fill == "rgb(8 48 107)" and ink == "rgb(255 255 255)"  # the map's deepest, white ink
    assert rows[0][1][0][0] == "0"  # nothing, written short
    dark = view.page_view(ev.set_theme(s, "dark"), computed_of(s))["pair-real.heatmap"]
    assert dark[1][1][1][0][1] != fill
    closed = view.page_view(ev.close_pair(s), computed_of(s))
    assert not closed["pair.modal"] and closed["pair-title.text"] == "" and closed["pair-real.heatmap"] == ((), ())


def test_either_head_of_a_pair_opens_in_the_explorer(on_real):
    s = ev.open_pair(on_real, 1, 0, 5)
    real_one = ev.open_head(s, *s.pair[1:])
    assert (real_one.model, real_one.layer, real_one.head, real_one.pair) == ("minilm", 0, 5, None)
    designed = ev.open_designed(s, s.pair[0])
    assert (designed.model, designed.head, designed.pair) == ("toy", 1, None)
    assert designed.tokens == WORDS and designed.text == SENTENCE
    with pytest.raises(ValueError, match="designed head 4 does not exist"):
        ev.open_pair(on_real, 4, 0, 0)
    with pytest.raises(ValueError, match="needs the real model"):
        ev.open_pair(ev.initial_state(), 0, 0, 0)
    assert ev.edit_sentence(s, "Dogs bark").pair is None  # a new sentence's words are not the pair's
    with pytest.raises(ValueError, match="answer the open question first"):
        ev.open_pair(predict.settle(predict.set_mode(on_real, True)), 0, 0, 2)
