"""How a ticket's number reads: the authority's ``#812`` or a marked provisional one."""

from __future__ import annotations


def ticket_number_label(number: int | None, provisional_number: int | None) -> str:
    if number is not None:
        return f"#{number}"
    if provisional_number is not None:
        return f"#L{provisional_number} (provisional)"
    return "(unnumbered)"
