"""``print`` in a definition module writes to the log sink of the call it runs in."""

from __future__ import annotations

import asyncio
import io
import sys
from types import ModuleType

import pytest

from sb_emulator.machines.pyoutput import LogSink, output_to, route_print, routed_print


def test_print_goes_to_the_sink_of_the_current_call(capsys: pytest.CaptureFixture[str]) -> None:
    sink = LogSink()
    with output_to(sink):
        routed_print("a", 1, sep="-")
        routed_print("b", end="")
    routed_print("outside")
    assert sink.text == "a-1\nb"
    assert capsys.readouterr().out == "outside\n"


def test_an_explicit_file_is_written_to() -> None:
    sink, other = LogSink(), io.StringIO()
    with output_to(sink):
        routed_print("elsewhere", file=other)
        routed_print("here", file=sys.stdout)
    assert (sink.text, other.getvalue()) == ("here\n", "elsewhere\n")


async def test_tasks_running_at_once_keep_their_own_sinks() -> None:
    sinks = {"x": LogSink(), "y": LogSink()}
    gate = asyncio.Event()
    started = {n: asyncio.Event() for n in sinks}

    async def call(name: str) -> None:
        with output_to(sinks[name]):
            routed_print(f"{name} before")
            started[name].set()
            await gate.wait()
            routed_print(f"{name} after")

    tasks = [asyncio.create_task(call(n)) for n in sinks]
    for event in started.values():  # both inside their call before either goes on
        await event.wait()
    gate.set()
    await asyncio.gather(*tasks)
    assert {n: s.text for n, s in sinks.items()} == {"x": "x before\nx after\n",
                                                     "y": "y before\ny after\n"}


def test_a_module_defining_its_own_print_keeps_it() -> None:
    own, plain = ModuleType("own"), ModuleType("plain")
    vars(own)["print"] = len
    route_print(own)
    route_print(plain)
    assert (vars(own)["print"], vars(plain)["print"]) == (len, routed_print)
