"""Comparing a row's values with a record, and copying them onto it."""


def differs(obj, values: dict) -> bool:
    """Whether any of the values differs from the record's."""
    return any(getattr(obj, name) != value for name, value in values.items())


def assign(obj, values: dict) -> None:
    """Set the values on the record (not saved)."""
    for name, value in values.items():
        setattr(obj, name, value)
