"""API models of a provider's time: weekly windows, dated exceptions, status and on-call."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from taas_availability.api.fields import Text, ZoneKey
from taas_availability.domain.schedule import ExceptionKind

_IN = ConfigDict(extra="forbid")


class WindowWrite(BaseModel):
    """One weekly window in the provider's own time zone (a window crossing midnight is written as two)."""

    model_config = _IN

    day: int = Field(description="Weekday, 0 = Monday ... 6 = Sunday.")
    start: Text(5) = Field(description="Local start, HH:MM.")
    end: Text(5) = Field(description="Local end, HH:MM (24:00 = end of day).")


class ScheduleUpdate(BaseModel):
    """The whole weekly schedule, replacing the previous one."""

    model_config = _IN

    time_zone: ZoneKey | None = Field(None, description="IANA time zone of the windows; the current one if absent.")
    windows: list[WindowWrite] = Field(max_length=100, description="Weekly windows; none overlap, none inverted.")


class ExceptionCreate(BaseModel):
    """A dated exception: time blocked or extra time, [start, end)."""

    model_config = _IN

    kind: ExceptionKind = Field(description="`blocked` takes time away, `extra` adds it.")
    start: datetime = Field(description="Start; without an offset it is local time in the provider's zone.")
    end: datetime = Field(description="End (after start); without an offset it is local time in the provider's zone.")
    note: Text(500) = Field("", description="Why.")


class StatusName(StrEnum):
    """What a provider can set their status to."""

    ACTIVE = "active"
    PAUSED = "paused"
    ON_CALL = "on_call"
    OFFBOARDED = "offboarded"


class StatusUpdate(BaseModel):
    """Active, paused, on call now until a time, or offboarded (ops only)."""

    model_config = _IN

    status: StatusName = Field(description="`active`, `paused`, `on_call` (needs on_call_until) or `offboarded` (ops).")
    on_call_until: datetime | None = Field(None, description="With `on_call`: on call from now until this instant.")
