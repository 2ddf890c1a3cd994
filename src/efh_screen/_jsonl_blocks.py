"""Screening blocks of JSONL lines column-wise, with no Profile object per valid line.

A block of raw lines is decoded straight into the coded tables of the column-wise engine
(:class:`~efh_screen.tables._lines.LineDecoder`), checked column-wise against every rule of
the Profile model and the screening date
(:func:`~efh_screen.tables._checks.find_suspects`), its indicators derived
(:func:`~efh_screen.tables._derivation.derive_matrix`, checked equal to the row-wise
derivation), scored by the numpy path every batch uses, and written through the same result
lines (:func:`~efh_screen._chunks.result_lines`).

The Profile model still has the last word on every line it is needed for: a line the decoder
is not sure of, or whose child the column-wise checks suspect, is read the Profile way
(:func:`~efh_screen._jsonl.parse_jsonl_line`) and screened, or rejected with its problems
worded, exactly as before (:class:`~efh_screen._chunks.RecordScreener`). So is each review
case whose points card is wanted. Every output is byte for byte what the record-by-record
path writes; only the time differs.

It needs msgspec (``pip install "efh_screen[fast]"``); without it, or for full results (the
scalar path), :func:`column_wise_screener` returns None and the batch reads every line the
Profile way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._chunks import (
    ChunkScreened,
    Outcome,
    RecordScreener,
    ScreenSettings,
    result_lines,
    review_entries,
    screened_outcomes,
)
from ._explain import points_card_html
from ._features import INDICATORS
from ._jsonl import parse_jsonl_line
from ._records import InputRecord
from ._scoring import Screener
from .tables._checks import find_suspects
from .tables._decoding import NULL
from .tables._derivation import DERIVED_INDICATORS, derive_matrix
from .tables._lines import DecodedLines, LineDecoder, line_decoder

__all__ = ["JsonlBlockScreener", "column_wise_available", "column_wise_screener"]

JsonlBlock = tuple[int, Sequence[bytes | None]]
"""A block of JSONL lines: the number of its first line, and its raw lines."""


class JsonlBlockScreener:
    """Screen blocks of JSONL lines column-wise; one outcome per line (see ``_chunks``).

    Parameters
    ----------
    screener : Screener
        The screener.
    settings : ScreenSettings
        The screening date and what to keep (``full`` must be False).
    decoder : LineDecoder
        The decoder, kept for the whole run (it remembers rows seen before).
    """

    def __init__(
        self, screener: Screener, settings: ScreenSettings, *, decoder: LineDecoder
    ) -> None:
        self.screener = screener
        self.settings = settings
        self.decoder = decoder
        self.records = RecordScreener(screener, settings)

    def __call__(self, block: JsonlBlock) -> list[Outcome]:
        """Return the outcome of each line of the block, in order."""
        first, raws = block
        decoded = self.decoder.decode(raws)
        child = decoded.child
        sure = child != NULL
        suspect = find_suspects(decoded.tables, as_of=self.settings.as_of)
        sure[sure] = ~suspect[child[sure]]
        positions = np.flatnonzero(sure)
        outcomes: list[Outcome] = [()] * len(raws)
        if len(positions):
            for position, outcome in zip(
                positions.tolist(), self._screen(decoded, positions, block), strict=True
            ):
                outcomes[position] = outcome
        others = np.flatnonzero(~sure).tolist()
        read = (parse_jsonl_line(raws[position], first + position) for position in others)
        for position, outcome in zip(others, self.records(read), strict=True):
            outcomes[position] = outcome
        return outcomes

    def _screen(
        self,
        decoded: DecodedLines,
        positions: np.ndarray[tuple[int], np.dtype[np.intp]],
        block: JsonlBlock,
    ) -> list[Outcome]:
        """Screen the lines at ``positions`` column-wise; their ``SCREENED`` outcomes."""
        first, raws = block
        settings, weights = self.settings, self.screener.weights
        children = decoded.child[positions]
        ids = [decoded.ids[child] for child in children.tolist()]
        matrix = derive_matrix(
            decoded.tables,
            children,
            ids,
            as_of=settings.as_of,
            windows=weights.windows,
            counts=weights.counts,
            resolution=weights.resolution,
        )
        batch = self.screener.score_matrix(matrix)
        top, gaps = batch.top_reasons(3), batch.main_missing(3)
        lines = (first + positions).tolist()
        review = []
        for i, entry in review_entries(lines, batch, top, gaps):
            card = self._card(raws[positions[i]], lines[i]) if settings.cards else None
            review.append((i, entry, card))
        done = ChunkScreened(
            result_lines(batch, top, gaps) if settings.results else [],
            batch.flag.tolist(),
            review,
        )
        return screened_outcomes(lines, ids, done)

    def _card(self, raw: bytes | None, line: int) -> str:
        """Return a review case's points card, from its profile read the Profile way."""
        record = parse_jsonl_line(raw, line)
        if not isinstance(record, InputRecord):
            raise RuntimeError(
                f"line {line} was screened column-wise but the Profile model refuses it; "
                "this is a bug in efh_screen: please report it"
            )
        return points_card_html(self.screener.screen(record.profile, as_of=self.settings.as_of))


def column_wise_available(*, full: bool) -> bool:
    """Whether JSONL can be screened column-wise here.

    Not for full results (the scalar path), nor without msgspec, nor if an indicator exists
    that the column-wise derivation does not derive.
    """
    every_indicator = {indicator.key for indicator in INDICATORS} == DERIVED_INDICATORS
    return not full and every_indicator and line_decoder() is not None


def column_wise_screener(screener: Screener, settings: ScreenSettings) -> JsonlBlockScreener | None:
    """Return a column-wise block screener, or None where the Profile path must be used.

    Parameters
    ----------
    screener : Screener
        The screener.
    settings : ScreenSettings
        The screening date and what to keep.

    Returns
    -------
    JsonlBlockScreener or None
        None where :func:`column_wise_available` says no.
    """
    decoder = line_decoder()
    if decoder is None or not column_wise_available(full=settings.full):
        return None
    return JsonlBlockScreener(screener, settings, decoder=decoder)
