"""Synthetic profiles as JSON lines, assembled from pre-rendered fragments.

The generator (:mod:`efh_screen.synth._generator`) draws a chunk of profiles as
numpy arrays; :class:`Assembler` turns each row into exactly the line
``model_dump_json(exclude_defaults=True)`` would write, without building a
model per profile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .._factors import FACTORS, Agency
from .._profile import Disability
from ._catalogue import AGENCIES, AGENCY_INDEX, ETHNICITIES, EVENT_TYPES, SEXES
from ._generator import Chunk
from ._parameters import SynthParameters

__all__ = ["Assembler"]


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
    return _Terms([start.isoformat() for start, _ in terms], [end.isoformat() for _, end in terms])


def _iso(days: npt.NDArray[np.int64]) -> list[str]:
    strings: list[str] = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()
    return strings


class Assembler:
    """Turn chunks into JSON lines, exactly ``model_dump_json(exclude_defaults=True)``.

    Every string written is a catalogue word, an ISO date or a generated id, so
    the JSON is assembled from pre-rendered fragments without escaping.

    Parameters
    ----------
    parameters : SynthParameters
        Every parameter of the model (the number of attendance terms is used).
    as_of : datetime.date
        The screening date (it sets the dates of the school terms).
    """

    def __init__(self, parameters: SynthParameters, as_of: dt.date) -> None:
        terms = _school_terms(as_of, parameters.attendance_terms)
        self.term_prefixes = [
            f'{{"start":"{start}","end":"{end}","possible_sessions":'
            for start, end in zip(terms.starts, terms.ends, strict=True)
        ]
        self.keys = [key for key, factor in FACTORS.items() if factor.evidence != "attendance"]
        agencies = [agency.value for agency in AGENCIES]
        # per factor: absent fragment per source agency, present prefix per source agency
        self.absent = {
            key: [f'"{key}":{{"status":"absent","source":"{agency}"}}' for agency in agencies]
            for key in self.keys
        }
        self.present = {
            key: [
                f'"{key}":{{"status":"present","source":"{agency}","recorded":"'
                for agency in agencies
            ]
            for key in self.keys
        }
        self.unknown = {key: f'"{key}":{{"status":"unknown"}}' for key in self.keys}
        self.event_prefix = [
            [f'{{"type":"{event_type.value}","date":"' for _agency in agencies]
            for event_type in EVENT_TYPES
        ]
        # indexed by cross_borough + 1: not a move, within the borough, across a boundary
        self.event_suffix = [
            [f'","source":"{agency}"' for agency in agencies],
            [f'","source":"{agency}","cross_borough":false' for agency in agencies],
            [f'","source":"{agency}","cross_borough":true' for agency in agencies],
        ]
        self.agency_lists: dict[tuple[bool, ...], str] = {}
        self.agency_values = agencies
        # indexed by ethnicity, sex and disability (0 or 1); disability is written only when
        # the model has it, so cohorts without it are the same bytes as before it existed
        with_disability = parameters.disability_prevalence > 0.0
        self.audit = [
            [
                [
                    f'"audit":{{"ethnicity":"{ethnicity.value}","sex":"{sex.value}"'
                    + (f',"disability":"{disability.value}"}}' if with_disability else "}")
                    for disability in (Disability.NO, Disability.YES)
                ]
                for sex in SEXES
            ]
            for ethnicity in ETHNICITIES
        ]

    def _agencies(self, row: tuple[bool, ...]) -> str:
        text = self.agency_lists.get(row)
        if text is None:
            names = [
                f'"{agency}"'
                for agency, present in zip(self.agency_values, row, strict=True)
                if present
            ]
            text = f'"agencies":[{",".join(names)}],' if names else ""
            self.agency_lists[row] = text
        return text

    def _factor_column(self, chunk: Chunk, key: str) -> list[str]:
        observations = chunk.observations
        known = observations.known[key]
        event_type = FACTORS[key].event_type
        if event_type is not None:
            present = chunk.events.counts[event_type] > 0
        else:
            present = observations.present[key]
        source = observations.source[key].tolist()
        absent_table = self.absent[key]
        column = [""] * chunk.size
        for row in np.flatnonzero(known & ~present).tolist():
            column[row] = absent_table[source[row]]
        present_rows = np.flatnonzero(known & present)
        if present_rows.size:
            days = _iso(observations.day[key][present_rows])
            prefix = self.present[key]
            for row, day in zip(present_rows.tolist(), days, strict=True):
                column[row] = f'{prefix[source[row]]}{day}"}}'
        unknown = self.unknown[key]
        for row in np.flatnonzero(~known & observations.explicit_unknown[key]).tolist():
            column[row] = unknown
        return column

    def _event_texts(self, chunk: Chunk) -> list[str]:
        """Every listed event of the chunk as its JSON object, in listed order."""
        events = chunk.events
        prefix, suffix = self.event_prefix, self.event_suffix
        return [
            f"{prefix[event_type][source]}{day}{suffix[cross_borough][source]}}}"
            for event_type, source, day, cross_borough in zip(
                events.event_type.tolist(),
                events.source.tolist(),
                _iso(events.day),
                (events.cross_borough + 1).tolist(),
                strict=True,
            )
        ]

    def _attendance(self, possible: list[int], missed: list[int]) -> str:
        terms = ",".join(
            [
                f'{prefix}{possible[term]},"missed_sessions":{missed[term]}}}'
                for term, prefix in enumerate(self.term_prefixes)
            ]
        )
        return f'"attendance":[{terms}],'

    def lines(self, chunk: Chunk, *, first_number: int, labelled: bool) -> Iterator[str]:
        """Yield one JSON line per row of the chunk.

        Parameters
        ----------
        chunk : Chunk
            The drawn profiles.
        first_number : int
            Number in the id of the chunk's first profile (``SYN-0000001`` is 1).
        labelled : bool
            Write ``{"profile": ..., "outcome": ...}`` or a bare profile.

        Yields
        ------
        str
        """
        birth_dates = _iso(chunk.birth_day)
        ethnicity = chunk.ethnicity.tolist()
        sex = chunk.sex.tolist()
        disability = chunk.disability.astype(np.int64).tolist()
        outcome = chunk.outcome.tolist()
        available = [tuple(row) for row in chunk.available.tolist()]
        columns = [self._factor_column(chunk, key) for key in self.keys]
        event_texts = self._event_texts(chunk)
        bounds = chunk.events.bounds.tolist()
        school_column = AGENCY_INDEX[Agency.SCHOOL]
        possible = chunk.possible_sessions.tolist()
        missed = chunk.missed_sessions.tolist()
        for row in range(chunk.size):
            parts = [f'{{"id":"SYN-{first_number + row:07d}","date_of_birth":"{birth_dates[row]}",']
            factors = ",".join([column[row] for column in columns if column[row]])
            if factors:
                parts.append(f'"factors":{{{factors}}},')
            first_event, after_last_event = bounds[row], bounds[row + 1]
            if after_last_event > first_event:
                parts.append(f'"events":[{",".join(event_texts[first_event:after_last_event])}],')
            agencies_present = available[row]
            if agencies_present[school_column] and self.term_prefixes:
                parts.append(self._attendance(possible[row], missed[row]))
            parts.append(self._agencies(agencies_present))
            parts.append(self.audit[ethnicity[row]][sex[row]][disability[row]])
            profile = "".join(parts) + "}"
            if labelled:
                yield f'{{"profile":{profile},"outcome":{1 if outcome[row] else 0}}}'
            else:
                yield profile
