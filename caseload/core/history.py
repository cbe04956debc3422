"""Readable change history from django-simple-history records."""

from dataclasses import dataclass, field


@dataclass
class HistoryRow:
    """One change to a record: when, by whom, what kind, and the fields that changed."""

    when: object
    who: str
    kind: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(record, name: str, value) -> str:
    try:
        model_field = record.instance._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field removed since; show the raw value
        return "" if value is None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value or "—"))
    if value in (None, ""):
        return "—"
    if model_field.many_to_one:  # a team moved (a transfer): name it, not its id
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    return str(value)


def history_rows(history_queryset, *, hidden: tuple[str, ...] = ()) -> list[HistoryRow]:
    """Newest first, each with the field changes against the previous version."""
    records = list(history_queryset.select_related("history_user").order_by("history_date"))
    rows = []
    previous = None
    for record in records:
        who = record.history_user.get_full_name() if record.history_user else "System"
        kind = KINDS.get(record.history_type, "Changed")
        if previous is None and record.history_type == "~":
            kind = "Changed (what it was before was not recorded)"
        row = HistoryRow(when=record.history_date, who=who or "System", kind=kind)
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in hidden:
                    continue
                label = record.instance._meta.get_field(change.field).verbose_name
                row.changes.append(
                    (
                        str(label).capitalize(),
                        _display(record, change.field, change.old),
                        _display(record, change.field, change.new),
                    )
                )
        if previous is None or row.changes or record.history_type != "~":
            rows.append(row)
        previous = record
    return list(reversed(rows))
