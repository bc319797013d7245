"""What every element of the page shows for a state (ui.view.page_view)."""

from scene.stages import knobs_of
from ui import share, view
from ui import state as ev
from ui.state import compute


def page(state):
    return view.page_view(state, compute(state.scenario))


def test_the_selected_query_head_and_step_are_shown():
    s = ev.select_head(ev.select_query(ev.set_step(ev.load_preset(None, "pronoun"), 3), 7), 3)
    v = page(s)
    assert v["query.value"] == "7" and v["head.value"] == "3" and v["step.value"] == "3"
    assert v["stage-title.text"] == "4. Softmax" and v["step.@aria-valuetext"] == "4 of 5: Softmax"
    assert v["query.options"][7] == ("7", "7. it")
    weights = compute(s.scenario).trace.weights[3, 7]
    assert [pct for _, pct in v["weights-table.rows"]] == [f"{100 * w:.1f}%" for w in weights]
    assert v["weights-caption.text"].startswith("Where 'it' looks, head 3 (coreference)")
    assert not v["prev.disabled"] and not v["next.disabled"]


def test_the_step_buttons_stop_at_the_ends():
    assert page(ev.set_step(ev.initial_state(), 0))["prev.disabled"]
    assert page(ev.set_step(ev.initial_state(), 4))["next.disabled"]


def test_the_token_count_follows_the_attention_type_and_a_refused_sentence():
    cross = ev.set_kind(ev.initial_state(), "cross")
    assert page(cross)["token-count.text"] == "4 / 32 tokens · 3 source"
    assert not page(cross)["context-field.hidden"] and page(cross)["kind-cross.checked"]
    back = ev.set_kind(cross, "self")
    assert page(back)["token-count.text"] == "4 / 32 tokens" and page(back)["context-field.hidden"]
    refused = ev.edit_sentence(ev.initial_state(), " ".join(["word"] * 33))
    assert refused.message and page(refused)["token-count.text"] == "33 / 32 tokens"


def test_the_preset_and_its_note():
    v = page(ev.load_preset(None, "pronoun"))
    assert v["preset.value"] == "pronoun" and v["preset-note.text"]
    edited = page(ev.edit_sentence(ev.load_preset(None, "pronoun"), "the cat sat"))
    assert edited["preset.value"] == "" and edited["preset-note.text"] == ""


def test_the_theme_and_text_size_are_shown_on_the_buttons_and_the_page():
    s = ev.initial_state()
    assert page(s)["html.@data-theme"] is None and page(s)["theme-toggle.@aria-pressed"] == "false"
    assert page(ev.set_system_dark(s, True))["theme-toggle.@aria-pressed"] == "true"
    dark = ev.toggle_theme(s)
    assert page(dark)["html.@data-theme"] == "dark" and page(dark)["theme-toggle.@aria-pressed"] == "true"
    large = ev.toggle_large(s)
    assert page(large)["html.@data-large"] == "true" and page(large)["large-toggle.@aria-pressed"] == "true"


def test_the_arithmetic_opens_for_a_cell_and_closes():
    s = ev.set_step(ev.initial_state(), 3)
    assert page(s)["arithmetic.hidden"] and page(s)["arithmetic-lines.list"] == ()
    opened = ev.select_cell(s, 2, 1)
    v = page(opened)
    assert not v["arithmetic.hidden"] and v["arithmetic-lines.list"][0].startswith("Query 'dog' → key 'hot'")
    assert page(ev.close_cell(opened))["arithmetic.hidden"]


def test_open_full_page_opens_the_state_the_learner_is_in():
    s = ev.select_query(ev.set_step(ev.load_preset(None, "lions"), 2), 1)
    href = page(s)["open-full.href"]
    assert href.startswith("./index.html#scenario=")
    assert share.open_fragment(ev.initial_state(), href.split("#", 1)[1]).scenario == s.scenario


def test_play_and_status():
    s = ev.play(ev.initial_state())
    assert page(s)["play.text"] == "❚❚ Pause" and page(ev.pause(s))["play.text"] == "▶ Play"
    assert page(ev.set_status(s, "Saved attention.png."))["share-status.text"] == "Saved attention.png."


def test_the_matrix_and_the_tables_follow_the_head():
    s = ev.initial_state()
    a, b = page(s), page(ev.select_head(s, (s.head + 1) % 4))
    assert a["attention-matrix.rows"] != b["attention-matrix.rows"] and a["qkv-table.rows"] != b["qkv-table.rows"]
    assert a["attention-matrix.header"] == ("query \\ key", *s.key_tokens)


def test_every_part_is_rebuilt_when_any_input_it_reads_changes():
    """Each remembered part is keyed on exactly what it reads: change one input, the part changes."""
    s = ev.set_step(ev.load_preset(None, "pronoun"), 3)
    c = compute(s.scenario)
    other = compute(ev.edit_sentence(s, "one cat and two dogs ran to the big red barn").scenario)
    for part in (view.detail_part, view.qkv_part, view.numpy_part):
        base = part(c, s)
        assert part(c, ev.select_head(s, 2)) != base, part
        if part is not view.numpy_part:  # the code reads only the trace's shapes
            assert part(other, s) != base, part
    assert view.detail_part(c, ev.select_query(s, 6)) != view.detail_part(c, s)
    assert view.numpy_part(c, ev.set_step(s, 1)) != view.numpy_part(c, s)
    assert view.numpy_part(c, ev.set_temperature(s, 3.0)) != view.numpy_part(c, s)
    tokens, keys = s.tokens, s.key_tokens
    renamed = tuple(t.upper() for t in tokens)
    assert view.matrix_part(c, tokens, keys, 3) != view.matrix_part(c, tokens, keys, 2)
    assert view.matrix_part(c, tokens, keys, 3) != view.matrix_part(other, tokens, keys, 3)
    assert view.matrix_part(c, renamed, keys, 3) != view.matrix_part(c, tokens, keys, 3)
    assert view.matrix_part(c, tokens, renamed, 3) != view.matrix_part(c, tokens, keys, 3)
    knobs = [knobs_of(x) for x in (s, ev.set_scale(s, False), ev.set_temperature(s, 2.0), ev.set_kind(s, "cross"))]
    assert len({view.stage_part(2, k)["formula.tex"] for k in knobs[:3]}) == 3  # scale and temperature
    assert view.stage_part(1, knobs[3]) != view.stage_part(1, knobs[0])  # keys from the context
    assert view.stage_part(1, knobs[0]) != view.stage_part(2, knobs[0])
    cell = ev.select_cell(s, 7, 1)
    assert view.arithmetic_part(c, cell) != view.arithmetic_part(c, ev.select_cell(s, 7, 2))
    assert view.arithmetic_part(c, cell) != view.arithmetic_part(c, ev.select_head(cell, 2))


def test_every_value_is_plain_data_the_dom_can_take():
    v = page(ev.select_cell(ev.set_step(ev.load_preset(None, "translate"), 3), 1, 1))
    for key, value in v.items():
        element, prop = key.rsplit(".", 1)
        assert element and prop
        assert value is None or isinstance(value, (str, bool, tuple)), key


def test_every_element_the_view_names_is_on_the_page():
    import re
    from pathlib import Path

    html = (Path(__file__).resolve().parents[2] / "web" / "index.html").read_text()
    ids = set(re.findall(r'\bid="([^"]+)"', html)) | {"html"}
    for s in (ev.initial_state(), ev.set_kind(ev.initial_state(), "cross")):
        named = {key.rsplit(".", 1)[0] for key in page(s)}
        assert named <= ids, named - ids


def test_words_the_lexicon_guessed_are_named_with_how():
    assert page(ev.initial_state())["guessed-words.text"] == ""
    v = page(ev.edit_sentence(ev.initial_state(), "the blorps zanged quickly"))
    assert v["guessed-words.text"].startswith("Guessed: 'blorps' treated as a noun")
    many = page(ev.edit_sentence(ev.initial_state(), "qwx zzv blorps vrm krt"))["guessed-words.text"]
    assert many.endswith("; and 2 more.")
    custom = ev.load_scenario(ev.initial_state(), {"tokens": ["blorps", "zz"], "embeddings": [[1, 0], [0, 1]]})
    assert page(custom)["guessed-words.text"] == ""  # no lexicon behind given embeddings


def test_the_formula_says_where_keys_come_from_in_cross_attention():
    v = page(ev.set_step(ev.load_preset(None, "translate"), 1))
    assert "K = C W_K" in v["formula.tex"]


def test_only_what_changed_is_written_and_new_options_rewrite_the_value():
    shown = {}
    first = page(ev.initial_state())
    assert view.changed_entries(shown, first) == list(first) and shown == first
    assert view.changed_entries(shown, first) == []
    again = page(ev.select_query(ev.initial_state(), 0))
    assert view.changed_entries(shown, again) == [k for k in first if first[k] != again[k]]
    longer = page(ev.edit_sentence(ev.initial_state(), "the hot dog was very good"))
    changed = view.changed_entries(shown, longer)
    assert changed.index("query.value") > changed.index("query.options")  # new options forget the selection
    assert all(f"{name}.value" in changed for name in ("query", "head") if f"{name}.options" in changed)
    assert view.changed_entries(shown, longer) == []
