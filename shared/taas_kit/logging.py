"""structlog set-up: JSON when not on a terminal, with context variables bound per request and per message."""

import logging
import sys
import time
from collections.abc import Callable

import structlog


# aiokafka logs these at ERROR although it retries them itself; at start-up (a coordinator not elected yet, a broker
# still booting) they are expected, so they are warnings: an ERROR line means something needs a person.
RETRIED_BY_AIOKAFKA = (
    "Group Coordinator Request failed",
    "Unable connect to",
    "Unable to update metadata",
    "Heartbeat send request failed",
    "OffsetCommit failed before join",
)


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """Configure structlog and route the standard library's records (aiokafka, asyncio) through the same renderer."""
    use_json = (not sys.stderr.isatty()) if json is None else json
    shared: list = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, structlog.processors.format_exc_info],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    # With the broker gone, aiokafka retries every 100 ms and logs each failure (≈ 110 lines a second).
    handler.addFilter(RepeatFilter(60.0, only="aiokafka"))
    handler.addFilter(DemoteFilter(RETRIED_BY_AIOKAFKA, only="aiokafka"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


class DemoteFilter(logging.Filter):
    """Lower ERROR records whose message template starts with one of `templates` to WARNING."""

    def __init__(self, templates: tuple[str, ...], only: str = "") -> None:
        super().__init__()
        self.templates, self.only = templates, only

    def filter(self, record: logging.LogRecord) -> bool:
        """Always emit; demote the known retried failures."""
        if record.levelno >= logging.ERROR and record.name.startswith(self.only) \
                and str(record.msg).startswith(self.templates):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class RepeatFilter(logging.Filter):
    """Let one record per message template through per `seconds`; the next one says how many were held back.

    Only records of the logger named `only` and its children are thinned; others always pass.
    """

    def __init__(self, seconds: float, only: str = "", clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.seconds, self.only, self.clock = seconds, only, clock
        self._last: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True to emit the record (annotated with the count of held-back repeats), False to hold it back."""
        if self.only and record.name != self.only and not record.name.startswith(self.only + "."):
            return True
        key, now = (record.name, str(record.msg)), self.clock()
        last = self._last.get(key)
        if last is not None and now - last[0] < self.seconds:
            self._last[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            record.msg = f"{record.msg} (and {last[1]} more like it in the last {now - last[0]:.0f} s)"
        self._last[key] = (now, 0)
        if len(self._last) > 1000:  # templates are few; ids inside messages must not grow this without bound
            self._last.clear()
        return True


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger, optionally named."""
    return structlog.get_logger(name) if name else structlog.get_logger()


bind = structlog.contextvars.bind_contextvars
unbind = structlog.contextvars.unbind_contextvars
bound = structlog.contextvars.bound_contextvars
