"""The streaming batch: nothing lost, outputs atomic, results identical to a clean run."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from efh_screen import (
    FACTORS,
    Agency,
    BatchSummary,
    FeatureMatrix,
    Profile,
    ReviewEntry,
    Screener,
    ScreeningBatch,
    screen_file,
    screen_records,
    write_review_csv,
    write_review_html,
)

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "batch_good.jsonl").read_bytes().splitlines()
AS_OF = dt.date(2026, 9, 1)

BAD_LINES: dict[str, bytes] = {
    "malformed": b'{"id": "BAD-1", "date_of_birth": "2012-01-0',
    "wrong type": b'{"id": "BAD-2", "date_of_birth": 12}',
    "unknown key": b'{"id": "BAD-3", "date_of_birth": "2012-01-02", "nickname": "Secret"}',
    "impossible date": b'{"id": "BAD-4", "date_of_birth": "2012-02-30"}',
    "empty": b"",
    "huge": b'{"id": "BAD-5", "date_of_birth": "2012-01-02", "x": "' + b"a" * 1_100_000 + b'"}',
    "born after as_of": b'{"id": "BAD-6", "date_of_birth": "2030-01-02"}',
    "event after as_of": (
        b'{"id": "BAD-7", "date_of_birth": "2012-01-02", '
        b'"events": [{"type": "suspension", "date": "2027-01-01"}]}'
    ),
}


def mixed_lines() -> tuple[list[bytes], dict[int, str]]:
    """Good lines with bad ones (and a duplicate) interleaved; map of bad line number -> kind."""
    lines: list[bytes] = []
    bad_at: dict[int, str] = {}
    bad = list(BAD_LINES.items())
    for i, good in enumerate(GOOD):
        lines.append(good)
        if i % 4 == 1 and bad:
            kind, line = bad.pop(0)
            lines.append(line)
            bad_at[len(lines)] = kind
    lines.append(GOOD[5])  # duplicate id
    bad_at[len(lines)] = "duplicate"
    return lines, bad_at


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_mixed_file_accounts_for_every_record(tmp_path: Path) -> None:
    lines, bad_at = mixed_lines()
    source = write(tmp_path / "mixed.jsonl", lines)
    summary = screen_file(
        source,
        as_of=AS_OF,
        results=tmp_path / "results.jsonl",
        errors=tmp_path / "errors.jsonl",
        chunk_size=7,
    )
    assert summary.read == len(lines)
    assert summary.read == summary.screened + summary.rejected
    assert summary.screened == len(GOOD)
    assert summary.rejected == len(bad_at)
    assert summary.duplicates == 1
    errors = [json.loads(x) for x in (tmp_path / "errors.jsonl").read_text().splitlines()]
    assert {e["line"] for e in errors} == set(bad_at)
    for e in errors:
        assert set(e) == {"line", "id", "field", "reason"}
        assert "Secret" not in e["reason"]
    dup = [e for e in errors if e["line"] == max(bad_at)]
    assert dup[0]["field"] == "id"
    first = lines.index(GOOD[5]) + 1
    assert dup[0]["reason"].startswith(f"duplicate id; first seen on line {first};")
    results = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(results) == summary.screened
    assert [json.loads(r)["id"] for r in results] == [json.loads(g)["id"] for g in GOOD]


def test_mixed_file_results_identical_to_clean_run(tmp_path: Path) -> None:
    lines, _ = mixed_lines()
    mixed = write(tmp_path / "mixed.jsonl", lines)
    clean = write(tmp_path / "clean.jsonl", GOOD)
    for name, source in (("mixed", mixed), ("clean", clean)):
        screen_file(
            source,
            as_of=AS_OF,
            results=tmp_path / f"{name}.results.jsonl",
            review_csv=tmp_path / f"{name}.review.csv",
            chunk_size=5 if name == "mixed" else 10_000,
        )
    assert (tmp_path / "mixed.results.jsonl").read_bytes() == (
        tmp_path / "clean.results.jsonl"
    ).read_bytes()
    # The review lists agree too, apart from the line numbers.
    mixed_rows = [
        r.rsplit(",", 1)[0] for r in (tmp_path / "mixed.review.csv").read_text().splitlines()
    ]
    clean_rows = [
        r.rsplit(",", 1)[0] for r in (tmp_path / "clean.review.csv").read_text().splitlines()
    ]
    assert mixed_rows == clean_rows


def test_result_lines_are_exactly_the_compact_records(tmp_path: Path) -> None:
    source = write(tmp_path / "good.jsonl", GOOD)
    screen_file(source, as_of=AS_OF, results=tmp_path / "r.jsonl", chunk_size=9)
    batch = Screener().screen_many([Profile.model_validate_json(g) for g in GOOD], as_of=AS_OF)
    expected = [json.dumps(rec, ensure_ascii=False) for rec in batch.to_records()]
    assert (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines() == expected


def test_results_match_scalar_and_full_mode(tmp_path: Path) -> None:
    source = write(tmp_path / "good.jsonl", GOOD)
    screen_file(source, as_of=AS_OF, results=tmp_path / "full.jsonl", full=True)
    screener = Screener()
    expected = [
        screener.screen(Profile.model_validate_json(g), as_of=AS_OF).model_dump_json() for g in GOOD
    ]
    assert (tmp_path / "full.jsonl").read_text().splitlines() == expected


def test_review_list_sorted_and_documented_rule(tmp_path: Path) -> None:
    source = write(tmp_path / "good.jsonl", GOOD)
    summary = screen_file(source, as_of=AS_OF)
    batch = Screener().screen_many([Profile.model_validate_json(g) for g in GOOD], as_of=AS_OF)
    wanted = {
        i
        for i, (f, c, n) in enumerate(
            zip(batch.flag, batch.flag_could_change, batch.not_enough_known, strict=True)
        )
        if f or c or n
    }
    assert {e.id for e in summary.review} == {batch.ids[i] for i in wanted}
    keys = [e.sort_key for e in summary.review]
    assert keys == sorted(keys)
    assert summary.flagged == int(batch.flag.sum())
    assert summary.review, "the fixture should have cases to review"
    for e in summary.review:
        assert len(e.reasons) <= 3
        assert len(e.main_missing) <= 3


def crash_on_third_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the third chunk's scoring fail, as a crash mid-run would."""
    calls = {"n": 0}
    original = Screener.score_matrix

    def failing(self: Screener, matrix: FeatureMatrix) -> ScreeningBatch:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("simulated crash")
        return original(self, matrix)

    monkeypatch.setattr(Screener, "score_matrix", failing)


def many_good_lines() -> list[bytes]:
    """Enough distinct valid lines that scoring runs more than three times at chunk size 1.

    (JSONL read column-wise is screened in blocks of 32 chunks, so 40 lines are two blocks.)
    """
    return [line.replace(b'"id":"SYN-', b'"id":"C%d-' % copy) for copy in range(3) for line in GOOD]


def test_failure_mid_run_keeps_earlier_outputs_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "good.jsonl", many_good_lines())
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.jsonl").write_text("old\n")
    crash_on_third_chunk(monkeypatch)
    with pytest.raises(RuntimeError, match="simulated crash"):
        screen_file(source, as_of=AS_OF, results=out / "results.jsonl", chunk_size=1)
    assert [p.name for p in out.iterdir()] == ["results.jsonl"]
    assert (out / "results.jsonl").read_text() == "old\n"


def test_failure_mid_run_leaves_no_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "good.jsonl", many_good_lines())
    crash_on_third_chunk(monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="simulated crash"):
        screen_file(
            source,
            as_of=AS_OF,
            results=out / "results.jsonl",
            errors=out / "errors.jsonl",
            review_csv=out / "review.csv",
            review_html=out / "review.html",
            chunk_size=1,
        )
    assert list(out.iterdir()) == []


def test_screen_records_from_a_case_system() -> None:
    profiles = [Profile.model_validate_json(g) for g in GOOD[:10]]
    results = io.StringIO()
    summary = screen_records([*profiles, profiles[0]], as_of=AS_OF, results=results)
    assert (summary.read, summary.screened, summary.rejected, summary.duplicates) == (11, 10, 1, 1)
    assert summary.rejected_sample[0].line == 11
    assert len(results.getvalue().splitlines()) == 10
    assert summary.to_dict()["read"] == 11
    assert "read 11, screened 10, rejected 1" in str(summary)


def test_empty_file(tmp_path: Path) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_bytes(b"")
    summary = screen_file(source, as_of=AS_OF, results=tmp_path / "r.jsonl")
    assert (summary.read, summary.screened, summary.rejected) == (0, 0, 0)
    assert (tmp_path / "r.jsonl").read_text() == ""


def test_progress_is_reported(tmp_path: Path) -> None:
    source = write(tmp_path / "good.jsonl", GOOD)
    seen: list[tuple[int, int, int]] = []
    screen_file(source, as_of=AS_OF, progress=lambda *a: seen.append(a))
    assert seen[-1][0] == len(GOOD)
    assert seen[-1][2] == source.stat().st_size


def _entry(i: int, *, flag: bool = True) -> ReviewEntry:
    return ReviewEntry(
        id=f"YP-{i}",
        line=i,
        band="review",
        band_label="review <suggested>",
        band_rank=1,
        score=10 - i,
        score_low=10 - i,
        score_high=12,
        flag=flag,
        flag_could_change=not flag,
        reasons=(("Domestic abuse & <script>", 2),),
        main_missing=("School attendance",),
    )


def test_review_html_is_self_contained_and_escaped() -> None:
    out = io.StringIO()
    write_review_html(
        [_entry(1), _entry(2, flag=False)], out, cards={"YP-1": "<section>card</section>"}
    )
    page = out.getvalue()
    assert "prompts for an early-help review by a person" in page
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "http://" not in page
    assert "https://" not in page
    assert "src=" not in page
    assert page.count("<article") == 2
    assert page.count("<details") == 1  # only the case with a card folds it away
    assert "<section>card</section>" in page


def test_review_html_shows_reasons_and_gaps_without_a_click() -> None:
    out = io.StringIO()
    write_review_html(
        [_entry(1), _entry(2, flag=False)],
        out,
        cards={"YP-1": "<section>card</section>"},
        top_band_rank=2,
    )
    page = out.getvalue()
    first = page.split("<article")[1]
    before_card = first.split("<details")[0]
    assert (
        "Top reasons" in before_card and "Domestic abuse &amp; &lt;script&gt; (+2)" in before_card
    )
    assert "School attendance" in before_card


def test_review_html_bands_differ_by_shape_and_words_not_colour_alone() -> None:
    out = io.StringIO()
    entries = [_entry(1), _entry(2, flag=False)]
    write_review_html([replace(entries[0], band_rank=2), entries[1]], out, top_band_rank=2)
    page = out.getvalue()
    top, not_flagged = page.split("<article")[1:]
    assert "class='case rank-top'" in top and "\u25b2\u25b2" in top
    assert "class='case not-flagged'" in not_flagged and "\u25b3" in not_flagged
    assert "not flagged on what is known" in not_flagged
    assert "could be flagged" not in page
    assert "no concern indicated (" not in page


def test_review_csv_columns() -> None:
    out = io.StringIO()
    n = write_review_csv([_entry(1)], out)
    rows = out.getvalue().splitlines()
    assert n == 1
    assert rows[0].startswith("rank,id,band,band_label,flag,score")
    assert rows[1].startswith("1,YP-1,review,")


def test_summary_type() -> None:
    summary = screen_records([], as_of=AS_OF)
    assert isinstance(summary, BatchSummary)
    assert summary.complete


def test_the_batch_leaves_the_garbage_collector_alone(tmp_path: Path) -> None:
    """A library never changes process-wide state: the collector stays on mid-run."""
    source = write(tmp_path / "good.jsonl", GOOD * 20)
    seen: list[tuple[bool, tuple[int, ...]]] = []
    before = (gc.isenabled(), gc.get_threshold())

    def progress(read: int, bytes_read: int, total: int) -> None:
        seen.append((gc.isenabled(), gc.get_threshold()))

    screen_file(source, as_of=AS_OF, progress=progress, chunk_size=3)
    assert seen and all(state == before for state in seen)


def test_the_collector_stays_on_for_other_threads_during_a_batch(tmp_path: Path) -> None:
    source = write(tmp_path / "good.jsonl", GOOD * 200)
    observed: list[bool] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            observed.append(gc.isenabled())
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        screen_file(source, as_of=AS_OF, results=tmp_path / "results.jsonl")
    finally:
        done.set()
        watcher.join()
    assert observed and all(observed)


def test_review_gaps_by_agency_agree_with_the_scalar_path() -> None:
    sample = Path(__file__).resolve().parent.parent / "src" / "efh_screen" / "data"
    profiles = [
        Profile.model_validate_json(line)
        for line in (sample / "sample_caseload.jsonl").read_bytes().splitlines()
        if line.strip()
    ]
    summary = screen_records(profiles, as_of=AS_OF)
    by_id = {profile.id: profile for profile in profiles}
    screener = Screener()
    fixed = [entry for entry in summary.review if not entry.flag_could_change]
    assert fixed and any(entry.gaps_by_agency for entry in fixed)
    for entry in summary.review:
        result = screener.screen(by_id[entry.id], as_of=AS_OF)
        counts: dict[Agency, int] = {}
        for item in result.missing_information:
            if item.key in FACTORS and item.agencies:
                counts[item.agencies[0]] = counts.get(item.agencies[0], 0) + 1
        expected = tuple((agency.label, counts[agency]) for agency in Agency if agency in counts)
        enough = result.coverage is None or result.coverage.enough or result.flag
        assert entry.enough_known is enough
        assert entry.gaps_by_agency == (() if result.flag_could_change and enough else expected)
        if not enough:
            assert entry.not_known_heading.startswith("Not enough known to screen")
        elif entry.gaps_by_agency:
            assert "cannot change the flag" in entry.not_known_heading


def test_a_case_of_which_not_enough_is_known_is_listed_with_the_agencies_to_ask(
    tmp_path: Path,
) -> None:
    examples = json.loads((DATA / "worked_examples.json").read_text())["examples"]
    (short,) = [e["profile"] for e in examples if e["name"] == "almost nothing known"]
    summary = screen_records([short], as_of=AS_OF)
    (entry,) = summary.review
    assert (entry.band, entry.flag, entry.enough_known) == ("not_enough_known", False, False)
    assert entry.status_text == "not enough known to screen"
    assert entry.flag_text == "not enough known"
    assert entry.not_known_heading == "Not enough known to screen: ask these agencies"
    # Nine factors children's social care usually holds, and two added in 2.0.0 (domestic
    # abuse of the child, care experience); early caregiver disruption scores 0, so it is not a gap.
    assert entry.gaps_by_agency[0] == ("Children's social care", 11)
    stream = io.StringIO()
    write_review_html(summary.review, stream)
    assert "class='case not-enough-known'" in stream.getvalue()
    rows = io.StringIO()
    write_review_csv(summary.review, rows)
    assert "not enough known to screen" in rows.getvalue()
