"""Synthetic profiles as JSON lines, assembled from pre-rendered fragments.

The generator (:mod:`efh_screen._synth`) draws a chunk of profiles as numpy
arrays; :class:`_Assembler` turns each row into exactly the line
``model_dump_json(exclude_defaults=True)`` would write, without building a
model per profile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .._factors import FACTORS, Agency
from ._parameters import (
    _AGENCIES,
    _AGENCY_INDEX,
    _ETHNICITIES,
    _EVENT_TYPES,
    _SEXES,
    SynthParameters,
)

if TYPE_CHECKING:  # the generator imports this module; the chunk is only an annotation here
    from ._generator import _Chunk

__all__: list[str] = []


@dataclass(frozen=True, slots=True)
class _Terms:
    starts: list[str]
    ends: list[str]


def _school_terms(as_of: dt.date, count: int) -> _Terms:
    """Return the last ``count`` terms (approximate England dates) ended before ``as_of``."""
    terms: list[tuple[dt.date, dt.date]] = []
    year = as_of.year
    while len(terms) < count:
        # school year starting in September of year-1
        candidates = [
            (dt.date(year, 4, 14), dt.date(year, 7, 21)),
            (dt.date(year, 1, 6), dt.date(year, 3, 27)),
            (dt.date(year - 1, 9, 3), dt.date(year - 1, 12, 19)),
        ]
        for start, end in candidates:
            if end < as_of and len(terms) < count:
                terms.append((start, end))
        year -= 1
    terms.reverse()
    return _Terms([s.isoformat() for s, _ in terms], [e.isoformat() for _, e in terms])


def _iso(days: npt.NDArray[np.int64]) -> list[str]:
    strings: list[str] = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()
    return strings


class _Assembler:
    """Turn chunks into JSON lines, exactly ``model_dump_json(exclude_defaults=True)``.

    Every string written is a catalogue word, an ISO date or a generated id, so
    the JSON is assembled from pre-rendered fragments without escaping.
    """

    def __init__(self, params: SynthParameters, as_of: dt.date) -> None:
        self.params = params
        terms = _school_terms(as_of, params.attendance_terms)
        self.term_prefixes = [
            f'{{"start":"{s}","end":"{e}","possible_sessions":'
            for s, e in zip(terms.starts, terms.ends, strict=True)
        ]
        self.keys = [k for k, f in FACTORS.items() if f.evidence != "attendance"]
        agencies = [a.value for a in _AGENCIES]
        # per factor: absent fragment per source agency, present prefix per source agency
        self.absent = {
            k: [f'"{k}":{{"status":"absent","source":"{a}"}}' for a in agencies] for k in self.keys
        }
        self.present = {
            k: [f'"{k}":{{"status":"present","source":"{a}","recorded":"' for a in agencies]
            for k in self.keys
        }
        self.unknown = {k: f'"{k}":{{"status":"unknown"}}' for k in self.keys}
        self.event_prefix = [
            [f'{{"type":"{e.value}","date":"' for _a in agencies] for e in _EVENT_TYPES
        ]
        self.event_suffix = [
            [f'","source":"{a}"' for a in agencies],
            [f'","source":"{a}","cross_borough":false' for a in agencies],
            [f'","source":"{a}","cross_borough":true' for a in agencies],
        ]
        self.agency_lists: dict[tuple[bool, ...], str] = {}
        self.agency_values = agencies
        self.audit = [
            [f'"audit":{{"ethnicity":"{e.value}","sex":"{s.value}"}}' for s in _SEXES]
            for e in _ETHNICITIES
        ]

    def _agencies(self, row: tuple[bool, ...]) -> str:
        text = self.agency_lists.get(row)
        if text is None:
            names = [f'"{a}"' for a, ok in zip(self.agency_values, row, strict=True) if ok]
            text = f'"agencies":[{",".join(names)}],' if names else ""
            self.agency_lists[row] = text
        return text

    def _factor_column(self, chunk: _Chunk, key: str) -> list[str]:
        n = chunk.n
        known = chunk.obs_known[key]
        etype = FACTORS[key].event_type
        present = (chunk.listed_counts[etype] > 0) if etype is not None else chunk.truth[key]
        source = chunk.obs_source[key].tolist()
        absent_table = self.absent[key]
        column = [""] * n
        for i in np.flatnonzero(known & ~present).tolist():
            column[i] = absent_table[source[i]]
        present_rows = np.flatnonzero(known & present)
        if present_rows.size:
            days = _iso(chunk.obs_day[key][present_rows])
            prefix = self.present[key]
            for i, day in zip(present_rows.tolist(), days, strict=True):
                column[i] = f'{prefix[source[i]]}{day}"}}'
        unknown = self.unknown[key]
        for i in np.flatnonzero(~known & chunk.explicit_unknown[key]).tolist():
            column[i] = unknown
        return column

    def lines(self, chunk: _Chunk, first_index: int, labelled: bool) -> Iterator[str]:
        n = chunk.n
        dob = _iso(chunk.dob_day)
        audit = self.audit
        ethnicity = chunk.ethnicity.tolist()
        sex = chunk.sex.tolist()
        outcome = chunk.outcome.tolist()
        available = [tuple(r) for r in chunk.available.tolist()]
        columns = [self._factor_column(chunk, key) for key in self.keys]
        # events, pre-rendered
        ev_day = _iso(chunk.ev_day)
        ev_type = chunk.ev_type.tolist()
        ev_source = chunk.ev_source.tolist()
        ev_cross = (chunk.ev_cross + 1).tolist()
        prefix, suffix = self.event_prefix, self.event_suffix
        event_text = [
            f"{prefix[t][s]}{d}{suffix[c][s]}}}"
            for t, s, d, c in zip(ev_type, ev_source, ev_day, ev_cross, strict=True)
        ]
        bounds = chunk.ev_bounds.tolist()
        school_col = _AGENCY_INDEX[Agency.SCHOOL]
        possible = chunk.possible.tolist()
        missed = chunk.missed.tolist()
        term_prefixes = self.term_prefixes
        for i in range(n):
            parts = [f'{{"id":"SYN-{first_index + i:07d}","date_of_birth":"{dob[i]}",']
            factors = ",".join([c[i] for c in columns if c[i]])
            if factors:
                parts.append(f'"factors":{{{factors}}},')
            lo, hi = bounds[i], bounds[i + 1]
            if hi > lo:
                parts.append(f'"events":[{",".join(event_text[lo:hi])}],')
            row = available[i]
            if row[school_col] and term_prefixes:
                pos, mis = possible[i], missed[i]
                terms = ",".join(
                    [
                        f'{p}{pos[t]},"missed_sessions":{mis[t]}}}'
                        for t, p in enumerate(term_prefixes)
                    ]
                )
                parts.append(f'"attendance":[{terms}],')
            parts.append(self._agencies(row))
            parts.append(audit[ethnicity[i]][sex[i]])
            profile = "".join(parts) + "}"
            if labelled:
                yield f'{{"profile":{profile},"outcome":{1 if outcome[i] else 0}}}'
            else:
                yield profile
