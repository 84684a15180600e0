"""The trait grammar reads every server sentence of the features into the app's settings, the same
settings for sentences that mean the same, and says clearly what it cannot read."""

from __future__ import annotations

import re

import pytest

from harness.paths import REPO_ROOT
from harness.serving import traits
from harness.serving.launcher import ServerSpec
from servers import catalog

#: Every Given (or And/But after one) of the features that names an app by its phrase.
SENTENCES = sorted({
    re.sub(r"^\s*(?:Given|And|But) (?:beside it )?", "", line).strip()
    for path in (REPO_ROOT / "features").glob("*.feature")
    for line in path.read_text().splitlines()
    if re.match(rf"^\s*(?:Given|And|But) (?:beside it )?{traits.SERVER_PATTERN}$", line)
})


def test_the_features_have_server_sentences():
    assert len(SENTENCES) > 30


@pytest.mark.parametrize("sentence", SENTENCES)
def test_every_server_sentence_of_the_features_is_read(sentence):
    wanted = traits.parse_server(re.sub(r"<\w+>", "2", sentence))  # an outline's values come from its Examples
    assert wanted.problem == ""
    if wanted.app is not None:
        catalog.settings_for(wanted.app, wanted.settings)


@pytest.mark.parametrize("sentence, app, settings", [
    ("a model server that squares numbers", "square", {}),
    ("a model server that squares numbers in batches of up to 8 within 100 ms, taking 20 ms per batch", "square",
     {"max_batch_size": 8, "batch_timeout": 0.1, "predict_seconds": 0.02}),
    ("a model server that squares numbers but refuses 21 with status 400, 22 with status 422 and 23 with status 429",
     "square", {"failure_rules": "decode:21:400,decode:22:422,decode:23:429"}),
    ("a model server that squares numbers in batches of up to 4 within 500 ms, but returns one answer too few for any "
     "batch with client-2", "square", {"max_batch_size": 4, "batch_timeout": 0.5, "wrong_batch_length": "client-2"}),
    ('a model server that squares numbers and requires the API key "s3cret-key"', "square", {"api_key": "s3cret-key"}),
    ("a model server that echoes what it is sent and accepts bodies of at most 1 MB", "echo",
     {"max_payload_size": 2 ** 20}),
    ('a streaming model server that fails after 3 chunks for the prompt "story"', "tokens",
     {"failure_rules": "predict:story", "fail_after_chunks": 3}),
    ("a streaming model server that batches up to 4 streams within 100 ms and produces 10 chunks, 100 ms apart",
     "tokens", {"max_batch_size": 4, "batch_timeout": 0.1, "chunks": 10, "chunk_pause": 0.1}),
    ("a streaming model server with 2 inference workers and 3 API servers that produces 5 chunks 20 ms apart",
     "tokens", {"workers": 2, "api_servers": 3, "chunks": 5, "chunk_pause": 0.02}),
    ("an async model server that squares numbers but fails in predict for 13 and refuses 21 with status 422",
     "traced_square", {"enable_async": True, "failure_rules": "predict:13,decode:21:422"}),
    ('a chat model server that answers in 6 pieces 50 ms apart, refuses forbidden with status 403 and nonsense with '
     'status 400 and fails after 3 pieces on "broken"', "chat",
     {"chunks": 6, "chunk_pause": 0.05, "failure_rules": "decode:forbidden:403,decode:nonsense:400,predict:broken",
      "fail_after_chunks": 3}),
    ('a toy language model served with continuous batching, taking 20 ms per step, that fails after 2 chunks for the '
     'prompt "broken" and thinks for 10 steps before answering the prompt "ponder"', "cb_llm",
     {"predict_seconds": 0.02, "failure_rules": "predict:broken", "fail_after_chunks": 2,
      "thinking_steps": "ponder:10"}),
    ("an embedding model server that embeds batches of up to 4 texts within 500 ms", "embeddings",
     {"max_batch_size": 4, "batch_timeout": 0.5}),
    ("the same model, batching up to 8 requests within 100 ms", None, {"max_batch_size": 8, "batch_timeout": 0.1}),
])
def test_a_sentence_means_its_app_and_settings(sentence, app, settings):
    wanted = traits.parse_server(sentence)
    assert (wanted.problem, wanted.app, wanted.settings) == ("", app, settings)


def test_watched_from_its_start_is_how_the_server_is_started_not_a_setting():
    wanted = traits.parse_server("a model server that squares numbers and takes 2 seconds to load, watched from its start")
    assert (wanted.settings, wanted.watched) == ({"setup_seconds": 2.0}, True)


def test_sentences_that_mean_the_same_settings_ask_for_the_same_server():
    def spec(sentence: str) -> ServerSpec:
        wanted = traits.parse_server(sentence)
        return ServerSpec(wanted.app, catalog.settings_for(wanted.app, wanted.settings))

    assert spec("a model server that squares numbers, taking 250 ms per request, with 2 inference workers") == \
        spec("a model server that squares numbers with 2 inference workers and taking 250 ms per call")


def test_an_unknown_trait_is_an_error_that_lists_the_known_traits():
    wanted = traits.parse_server("a model server that squares numbers, taking 20 ms per call and sings")
    with pytest.raises(ValueError) as error:
        wanted.settings_or_raise()
    message = str(error.value)
    assert "' and sings'" in message and "the known traits are" in message
    assert all(trait.example in message for trait in traits.TRAITS)


def test_two_traits_that_set_the_same_setting_are_an_error():
    wanted = traits.parse_server("a model server that squares numbers, taking 20 ms per call, taking 30 ms per call")
    assert "two traits set predict_seconds" in wanted.problem


def test_a_trait_the_app_does_not_use_is_refused_when_the_server_is_asked_for():
    wanted = traits.parse_server('a model server that squares numbers that requires its own API key "k"')
    assert wanted.problem == ""
    with pytest.raises(ValueError, match=r"the app 'square' does not use the setting\(s\) \['endpoint_key'\]"):
        catalog.settings_for(wanted.app, wanted.settings)


def test_a_longer_phrase_wins_over_the_phrase_it_begins_with():
    wanted = traits.parse_server("a model server that squares numbers and says which worker served each request, "
                                 "with 2 inference workers")
    assert (wanted.app, wanted.settings) == ("traced_square", {"workers": 2})


def test_every_phrase_names_one_app():
    phrases = [phrase for app in catalog.CATALOG.values() for phrase in app.phrases]
    assert len(phrases) == len(set(phrases))
    assert traits.SAME_MODEL not in phrases
