"""Every command round-trips through JSON exactly; bad JSON is refused as 'validation'."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktopdesk.domain.commands import (
    COMMANDS,
    Command,
    CreateTicket,
    command_from_json,
)
from desktopdesk.domain.errors import VALIDATION, DomainError

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
AWARE_DATETIMES = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2200, 1, 1),
    timezones=st.builds(dt.timezone, st.timedeltas(min_value=-dt.timedelta(hours=23),
                                                   max_value=dt.timedelta(hours=23))),
)


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """Values of a command field's type, the way the codec understands that type."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy_for(arg) for arg in typing.get_args(hint)))
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
        return st.tuples(*(strategy_for(arg) for arg in args))
    if origin is dict:
        return st.dictionaries(st.text(max_size=8), strategy_for(typing.get_args(hint)[1]),
                               max_size=3)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(),
        Any: JSON_VALUES,
        uuid.UUID: st.uuids(),
        dt.datetime: AWARE_DATETIMES,
        bool: st.booleans(),
        int: st.integers(-(2**53), 2**53),
        float: st.floats(allow_nan=False, allow_infinity=False),
        str: st.text(max_size=30),
    }
    if hint not in simple:
        raise AssertionError(f"no strategy for command field type {hint!r}")
    return simple[hint]


def commands_of(cls: type[Command]) -> st.SearchStrategy[Command]:
    hints = typing.get_type_hints(cls)
    return st.fixed_dictionaries(
        {f.name: strategy_for(hints[f.name]) for f in dataclasses.fields(cls)}
    ).map(lambda kwargs: cls(**kwargs))


def through_the_wire(command: Command) -> Command:
    text = json.dumps(command.to_json(), allow_nan=False)
    return command_from_json(json.loads(text))


@pytest.mark.parametrize("cls", [COMMANDS[name] for name in sorted(COMMANDS)],
                         ids=sorted(COMMANDS))
def test_every_command_round_trips_through_json(cls: type[Command]) -> None:
    @settings(max_examples=40, deadline=None)
    @given(commands_of(cls))
    def round_trip(command: Command) -> None:
        assert through_the_wire(command) == command

    round_trip()


def test_the_registry_holds_the_commands_apply_knows() -> None:
    assert {"CreateTicket", "UpdateTicketFields", "ChangeStatus", "AddWorkunit", "AttachFile",
            "SetStatusMapping", "ChangeSetting", "DeleteTicket"} <= set(COMMANDS)
    assert all(name == cls.__name__ for name, cls in COMMANDS.items())


def test_the_json_names_the_command_and_format() -> None:
    command = CreateTicket(title="t", group_id=uuid.uuid4())

    payload = command.to_json()

    assert payload["command"] == "CreateTicket"
    assert isinstance(payload["format"], int)
    assert payload["args"]["group_id"] == str(command.group_id)


def good_payload() -> dict[str, Any]:
    return CreateTicket(title="t", group_id=uuid.uuid4()).to_json()


def with_args(**changes: Any) -> dict[str, Any]:
    payload = good_payload()
    payload["args"].update(changes)
    return payload


BAD_PAYLOADS: dict[str, tuple[Any, str | None, str]] = {
    "unknown command": ({"command": "DropTables", "args": {}}, "command", "DropTables"),
    "no command": ({"args": {}}, "command", "Unknown command"),
    "command not text": ({"command": 7, "args": {}}, "command", "Unknown command"),
    "args missing": ({"command": "CreateTicket"}, "args", "args"),
    "args not an object": ({"command": "CreateTicket", "args": []}, "args", "args"),
    "unknown field": (with_args(colour="red"), "colour", "colour"),
    "int for text": (with_args(title=5), "title", "title"),
    "text for int": (with_args(priority="2"), "priority", "priority"),
    "bool for int": (with_args(priority=True), "priority", "priority"),
    "bad uuid": (with_args(group_id="not-a-uuid"), "group_id", "group_id"),
    "naive datetime": (with_args(created_at="2026-03-02T09:00:00"), "created_at", "created_at"),
    "list for dict": (with_args(custom_values=["a"]), "custom_values", "custom_values"),
    "dict value type": (with_args(custom_values={"a": 1}), "custom_values", "custom_values"),
    "object for tuple": (with_args(emails_in_copy={"a": "b"}), "emails_in_copy",
                         "emails_in_copy"),
    "required field missing": ({"command": "CreateTicket", "args": {"title": "t"}}, None,
                               "group_id"),
    "not an object": (["CreateTicket", {}], "command", "object"),
    "null": (None, "command", "object"),
}


@pytest.mark.parametrize(("payload", "field", "words"), BAD_PAYLOADS.values(),
                         ids=BAD_PAYLOADS.keys())
def test_bad_json_is_refused_as_validation(payload: Any, field: str | None, words: str) -> None:
    with pytest.raises(DomainError) as info:
        command_from_json(payload)

    assert info.value.code == VALIDATION
    assert info.value.field == field
    assert words in info.value.message


def test_pair_tuples_need_exactly_two_items() -> None:
    payload = {"command": "SetStatusMapping", "args": {"transitions": [[1, 3, 5]]}}

    with pytest.raises(DomainError) as info:
        command_from_json(payload)

    assert info.value.code == VALIDATION
    assert info.value.field == "transitions"


def test_replaying_a_command_in_another_store_makes_the_same_rows(tmp_path: Path) -> None:
    """The server re-applies the desktop's command: derived rows must get the same ids."""
    import datetime as dt

    from sqlalchemy import select

    from desktopdesk.domain.commands import ChangeSetting, CreateGroup, CreateTicket
    from desktopdesk.models import HistoryEvent, Workunit
    from desktopdesk.store.bootstrap import create_first_admin
    from desktopdesk.store.workspace import Workspace

    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    group = CreateGroup(name="Support")
    auto_workunit = ChangeSetting(key="editor_adds_workunit_on_create", value=True)
    create = CreateTicket(title="Printer", group_id=group.group_id)

    def ids_after_replay(folder: Path) -> tuple[list[str], list[str]]:
        with Workspace.open(folder) as ws:
            admin = create_first_admin(ws)
            for command in (group, auto_workunit, create):
                ws.execute(command, admin, now=now)
            with ws.read() as session:
                return (sorted(str(i) for i in session.scalars(select(HistoryEvent.id))),
                        sorted(str(i) for i in session.scalars(select(Workunit.id))))

    desktop, server = ids_after_replay(tmp_path / "a"), ids_after_replay(tmp_path / "b")
    assert desktop == server
    assert len(desktop[0]) == 6  # five creation events and the automatic workunit's
    assert len(desktop[1]) == 1
