"""Renders docs/events.md from the contracts, so the event reference never drifts from the code."""

from taas_contracts.envelope import Envelope
from taas_contracts.events import EVENT_MODELS
from taas_contracts.topics import ALL_TOPICS


def _type_name(annotation) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("taas_contracts.catalog.", "").replace("datetime.", "")


def render() -> str:
    """The whole events reference as Markdown."""
    lines = ["# Events", "",
             "Generated from `shared/taas_contracts` by `python -m taas_contracts.docgen > docs/events.md`;",
             "a unit test fails when this page and the code disagree.", "",
             "## Envelope (CloudEvents 1.0 structured JSON, plus tenant, correlation id, causation id)", "",
             "| attribute | meaning |", "|---|---|"]
    for name, field in Envelope.model_fields.items():
        lines.append(f"| `{name}` | {field.description} |")
    lines += ["", "## Topics", "", "| topic | key | partitions | compacted | carries |", "|---|---|---|---|---|"]
    for t in ALL_TOPICS:
        lines.append(f"| `{t.name}` | {t.key} | {t.partitions} | {'yes' if t.compacted else 'no'} | {t.description} |")
    lines += ["", "Every topic has a dead-letter topic `<topic>.dlq` (reason in the `dlq.reason` header).", "",
              "## Event types", ""]
    for event_type, model in EVENT_MODELS.items():
        lines += [f"### `{event_type}`", "", f"{model.__doc__.strip()} Topic `{model.TOPIC}`.", "",
                  "| field | type | meaning |", "|---|---|---|"]
        for name, field in model.model_fields.items():
            lines.append(f"| `{name}` | {_type_name(field.annotation)} | {field.description or ''} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
