"""The real model in the page's state (ui.real, ui.state's model events): the same page, a trained model."""

from dataclasses import replace

import numpy as np
import pytest

from attention import minilm
from model_files import SENTENCE, loaded_or_skip
from ui import real, view
from ui import state as ev
from ui.state import computed_of



@pytest.fixture(scope="module")
def loaded():
    return loaded_or_skip()


@pytest.fixture
def on_real(loaded):
    start = ev.edit_sentence(ev.initial_state(), SENTENCE)
    waiting = ev.set_model(start, "minilm")
    assert waiting.model == "toy" and waiting.model_status == "loading"  # nothing is downloaded before asked
    return ev.model_loaded(waiting, loaded)


def test_the_real_model_takes_the_sentence_in_the_box_as_wordpieces(on_real):
    assert on_real.model == "minilm" and on_real.model_status == ""
    assert on_real.tokens[0] == "[CLS]" and on_real.tokens[-1] == "[SEP]"
    assert "didn" in on_real.tokens and "it" in on_real.tokens and len(on_real.tokens) == 15


def test_layer_head_and_query_select_the_very_trace_of_the_forward_pass(on_real, loaded):
    s = ev.select_query(ev.select_head(ev.select_layer(on_real, 5), 11), on_real.tokens.index("it"))
    shown = computed_of(s)
    ids = np.array(on_real.pieces.ids)
    expected = minilm.forward(ids, loaded.weights).traces[5].weights[11]
    np.testing.assert_array_equal(shown.trace.weights[11], expected)
    rows = view.page_view(s, shown)["weights-table.rows"]
    assert [token for token, _ in rows] == list(s.tokens)
    assert [pct for _, pct in rows] == [f"{100 * w:.1f}%" for w in expected[s.query]]
    assert len(view.page_view(s, shown)["head.options"]) == 12


def test_changing_layer_or_head_needs_no_new_forward_pass(on_real, monkeypatch):
    computed_of(on_real)
    assert real.ready(on_real.real, on_real.pieces.ids) and not real.needs_pass(on_real)
    monkeypatch.setattr(minilm, "forward_steps", None)  # any new forward pass would fail
    for layer in range(6):
        computed_of(ev.select_head(ev.select_layer(on_real, layer), layer))


def test_editing_keeps_the_real_model_and_a_refused_sentence_keeps_the_last_good_one(on_real):
    s = ev.edit_sentence(on_real, "Dogs bark")
    assert s.tokens == ("[CLS]", "dogs", "bark", "[SEP]")
    refused = ev.edit_sentence(s, "word " * 70)
    assert refused.tokens == s.tokens and "pieces" in refused.message and "at most 64" in refused.message
    assert ev.edit_sentence(s, "   ").message == "Type at least one word."


def test_the_designed_model_controls_are_refused_on_the_real_one(on_real):
    for event, arg in ((ev.set_kind, "causal"), (ev.set_scale, False), (ev.set_temperature, 2.0)):
        with pytest.raises(ValueError):
            event(on_real, arg)
    with pytest.raises(ValueError, match="layer 6 does not exist"):
        ev.select_layer(on_real, 6)
    with pytest.raises(ValueError, match="head 12 does not exist"):
        ev.select_head(on_real, 12)


def test_switching_back_keeps_the_sentence(on_real):
    back = ev.set_model(ev.edit_sentence(on_real, "the cat sat"), "toy")
    assert back.model == "toy" and back.tokens == ("the", "cat", "sat") and back.real is on_real.real
    again = ev.set_model(back, "minilm")
    assert again.model == "minilm" and again.tokens == ("[CLS]", "the", "cat", "sat", "[SEP]")


def test_an_example_on_the_real_model_is_its_sentence(on_real):
    s = ev.load_preset(on_real, "hot-dog")
    assert s.model == "minilm" and s.tokens == ("[CLS]", "the", "hot", "dog", "was", "[SEP]")


def test_a_failed_download_says_so_and_the_designed_model_stays(loaded):
    s = ev.model_failed(ev.set_model(ev.initial_state(), "minilm"), "HTTP 404 for model/minilm-pack.bin")
    assert s.model == "toy" and s.model_status.startswith("failed: HTTP 404")
    assert computed_of(s).toy


def test_links_and_exports_reopen_the_real_model_state(on_real):
    from urllib.parse import parse_qsl

    from ui import share
    from ui.params import apply_params

    s = ev.select_query(ev.select_head(ev.select_layer(ev.set_step(on_real, 3), 4), 7), 2)
    params = dict(parse_qsl(share.real_model_query(s)))
    assert params == {"model": "minilm", "text": SENTENCE, "layer": "4", "head": "7", "query": "2", "step": "3"}
    again, problems = apply_params(replace(ev.initial_state(), real=on_real.real), params)
    assert problems == [] and (again.model, again.layer, again.head, again.query, again.step) == ("minilm", 4, 7, 2, 3)
    doc = share.real_document(s, computed_of(s))
    assert len(doc["attention"]) == 12 and len(doc["attention"][0]) == len(s.tokens)
    opened = share.open_document(ev.model_loaded(ev.initial_state(), on_real.real), doc)
    assert (opened.model, opened.layer, opened.head, opened.query) == ("minilm", 4, 7, 2)
    overview = dict(parse_qsl(share.real_model_query(ev.toggle_model_view(s))))  # the model view open, too
    assert overview == {**params, "overview": "1"}
    again, problems = apply_params(replace(ev.initial_state(), real=on_real.real), overview)
    assert problems == [] and again.model_view and again.layer == 4
    _, problems = apply_params(ev.initial_state(), {"overview": "yes"})
    assert problems == ["'overview=yes' was ignored: use 1 or 0"]


@pytest.fixture(scope="module")
def sharded(loaded):
    """The model as the page gets it: the main pack, and the word-embedding shards fetched per sentence."""
    from attention import model_pack

    manifest, data, shards = model_pack.write_pack(loaded.weights)
    return real.Loaded(model_pack.read_pack(manifest, data), loaded.vocab), shards


def test_a_sentence_waits_for_its_embedding_rows_and_the_page_shows_the_last_one_meanwhile(sharded, loaded):
    model, shards = sharded
    waiting = ev.model_loaded(ev.set_model(ev.edit_sentence(ev.initial_state(), "the cat sat"), "minilm"), model)
    assert waiting.model == "toy" and waiting.awaiting is not None  # the designed model stays until they are in
    needed = real.missing_rows(model, waiting.awaiting.ids)
    assert needed and computed_of(waiting).toy
    real.add_rows(model, {s: shards[s] for s in needed})
    shown = ev.rows_arrived(waiting)
    assert shown.model == "minilm" and shown.awaiting is None and shown.tokens[1:4] == ("the", "cat", "sat")
    full = real.run(loaded, shown.pieces.ids).traces[3].weights
    np.testing.assert_allclose(computed_of(ev.select_layer(shown, 3)).trace.weights, full, atol=0.002)
    typed = ev.edit_sentence(shown, "zebras photosynthesize quietly")
    assert typed.awaiting is not None and typed.tokens == shown.tokens  # the last sentence stays on screen
    assert ev.set_model(typed, "toy").awaiting is None
    dropped = ev.drop_awaited(typed)  # a newer sentence's pass started: these rows, when they come, show nothing
    assert dropped.awaiting is None and ev.rows_arrived(dropped) is dropped and ev.drop_awaited(dropped) is dropped


def test_heads_are_named_by_what_they_do_on_this_sentence(on_real):
    names = computed_of(ev.select_layer(on_real, 0)).head_names
    assert names[2] == "previous token 1.00"  # measured on this sentence, not written down
    explanation = computed_of(ev.select_head(ev.select_layer(on_real, 0), 2)).head_explanations[2]
    assert "to the token just before it" in explanation


def test_designed_beside_real_names_the_real_heads_most_like_each_designed_head(on_real):
    matches = dict(real.designed_matches(on_real.real, on_real.pieces, on_real.text))
    assert list(matches) == ["positional", "syntactic", "semantic", "coreference"]
    layer, head, overlap = matches["positional"][0]
    assert (layer, head) == (0, 2) and 0.5 < overlap <= 1  # the previous-token head, measured
    lines = view.match_lines(view.page_view(on_real, computed_of(on_real))["designed-match.matches"])
    assert lines[0].startswith("positional: layer 0 head 2 (")
    too_long = ev.edit_sentence(on_real, " ".join(["word"] * 40))  # 42 pieces: fine for the real model...
    assert real.designed_matches(too_long.real, too_long.pieces, too_long.text) == ()  # ...not the designed one


def test_the_page_s_forward_pass_in_steps_gives_the_very_numbers_of_one_pass(loaded):
    ids = real.encode(loaded, "Stepping through the layers changes nothing").ids
    whole = minilm.forward(np.array(ids), loaded.weights)
    job = real.Pass(loaded, ids)
    tasks = 0
    while not job.done:
        job.advance(0.0)  # one step per task
        tasks += 1
    assert tasks == 1 + 3 * real.LAYERS  # the embeddings with the first step, then 3 steps a layer, then the end
    stepped = real.run(loaded, ids)
    for a, b in zip(stepped.traces + stepped.hidden, whole.traces + whole.hidden):
        np.testing.assert_array_equal(getattr(a, "weights", a), getattr(b, "weights", b))


def test_a_pass_runs_another_step_in_its_task_only_if_the_longest_so_far_still_fits():
    class Clock:  # each step takes 30 ms of this clock
        now = 0.0

        def __call__(self):
            return self.now

    clock, job = Clock(), real.Pass.__new__(real.Pass)
    job.done, job.longest, job.layers_done = False, 0.0, 0

    def steps():
        for _ in range(7):
            clock.now += 0.030
            yield "step"
    job._steps = steps()
    job.advance(0.075, clock)
    assert clock.now == pytest.approx(0.060)  # a third step would end the task at 90 ms: over 75
    job.advance(0.075, clock)
    job.advance(0.075, clock)
    assert not job.done
    job.advance(0.075, clock)
    assert job.done and clock.now == pytest.approx(0.210)


def test_a_sentence_not_yet_computed_needs_a_pass_and_the_page_says_how_far_it_is(on_real, loaded):
    typed = ev.edit_sentence(on_real, "A sentence typed for the first time, never computed before")
    assert real.needs_pass(typed) and not real.needs_pass(on_real)
    job = real.Pass(loaded, typed.pieces.ids, typed.pieces, typed.text)
    assert real.pass_status(job) == "computing layer 0 (layers 0–5)"
    while job.layers_done < 3:
        job.advance(0.0)
    assert real.pass_status(job) == "computing layer 3 (layers 0–5)"
    while not job.done:
        job.advance(0.0)
    assert not real.needs_pass(typed) and real.pass_status(job) == "naming its heads"
    shown = ev.set_computing(on_real, "computing layer 3 (layers 0–5)")  # the last sentence stays meanwhile
    assert view.page_view(shown, computed_of(on_real))["model-status.text"] == (
        "The real model is on the new sentence: computing layer 3 (layers 0–5)…")


@pytest.mark.parametrize("model", ["toy", "minilm"])
def test_heads_and_layers_are_counted_from_0_wherever_the_learner_reads_them_as_in_the_link(model, on_real):
    from urllib.parse import parse_qsl

    from ui import export, panels, share
    from ui.params import apply_params

    start = on_real if model == "minilm" else ev.initial_state()
    params = {"head": "3", "query": "1", "step": "3", **({"layer": "4"} if model == "minilm" else {})}
    s, problems = apply_params(start, params)
    assert problems == [] and s.head == 3
    s = ev.select_cell(s, 1, 0)
    c = computed_of(s)
    v = view.page_view(s, c)
    label = dict(v["head.options"])["3"]
    assert label.startswith("3. ") and label.removeprefix("3. ") == c.head_names[3]
    assert ", head 3 (" in v["weights-caption.text"] and v["matrix-head.text"].startswith("head 3 (")
    assert v["arithmetic-lines.list"][0].endswith(", head 3")
    assert "Q (head 3)" in export.csv_text(c, s)
    assert "# one of heads 0 to " in v["numpy-code.text"]
    assert panels.narration(c, s) == v["live.text"] and c.head_names[3] in v["live.text"]
    if model == "minilm":
        assert dict(v["layer.options"])["4"] == "layer 4" and v["layer.value"] == "4"
        assert c.head_explanations[3].startswith("A trained head (layer 4, head 3)")
        assert dict(parse_qsl(share.real_model_query(s)))["head"] == "3"
