"""The report's charts: every request, batch and chunk drawn, odd inputs survived, nothing to draw said."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from harness.checks.batches import Composition
from harness.clients.http import Exchange
from harness.clients.streams import Chunk, StreamTranscript
from harness.reporting import charts


def _svg_of(page: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg.*</svg>", page, re.DOTALL).group(0))


def test_request_timeline_draws_each_request_and_batch():
    t = 1000.0
    exchanges, answers = [], []
    for n, batch in ((1, "b1"), (2, "b1"), (3, "b2")):
        exchanges.append(Exchange("POST", "http://127.0.0.1:1/predict", {"client": f"client-{n}"}, 200,
                                  sent_at=t, answered_at=t + 0.2 * n))
        answers.append({"client": f"client-{n}", "trace": {"batch": batch, "size": 2 if batch == "b1" else 1,
                        "members": ["client-1", "client-2"] if batch == "b1" else ["client-3"],
                        "started_at": t + (0.05 if batch == "b1" else 0.3),
                        "finished_at": t + (0.15 if batch == "b1" else 0.55)}})
    page = charts.request_timeline(exchanges, Composition.from_answers(answers))
    svg = _svg_of(page)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}rect")) == 5  # 2 batches + 3 requests
    texts = [el.text for el in svg.iter(f"{ns}text")]
    assert "batch 2 (model)" in texts and "client-3" in texts
    assert "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")


def test_chunk_chart_draws_every_chunk_and_survives_odd_streams():
    t = 50.0
    good = StreamTranscript("u", {"client": "client-1"}, 200, sent_at=t, finished_at=t + 1, ended_cleanly=True,
                            chunks=[Chunk(t + 0.1 * i, json.dumps({"text": f"a-{i}", "produced_at": t + 0.1 * i - 0.01,
                                                                   "batch": "b", "batch_size": 1}))
                                    for i in range(5)])
    odd = StreamTranscript("u", "not a dict", 200, sent_at=t, finished_at=0.0, chunks=[Chunk(t + 0.2, "plain <text>")])
    page = charts.chunk_arrivals([good, odd])
    svg = _svg_of(page)
    assert len(svg.findall("{http://www.w3.org/2000/svg}circle")) == 6
    assert "colour of the batch" in page and "&lt;text&gt;" in page


def test_charts_say_so_when_there_is_nothing_to_draw():
    assert "nothing to draw" in charts.request_timeline([])
    assert "nothing to draw" in charts.chunk_arrivals([])
