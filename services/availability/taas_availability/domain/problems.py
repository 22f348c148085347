"""A problem found in input, named by the field path of the offending entry."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with the input: where (`windows[3]`, `time_zone`) and what."""

    field: str
    message: str
