"""A real ``sb-emulator serve --data-dir`` process killed with SIGKILL in the middle of
concurrent traffic: after a restart on the same folder, every acknowledged event is there,
nothing was applied that was not sent, each instance's context agrees with its transitions,
and the emulator goes on serving (API.md §7.2: a transition is durable before it is
acknowledged)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig

pytestmark = pytest.mark.xdist_group("processes")

MACHINES = Path(__file__).parent / "machines"
LISTENING = re.compile(r"^sb-emulator listening on (http://\S+)$")
SEQUENTIAL = [f"seq-{n}" for n in range(6)]  # one event at a time, each awaited
SHARED = "shared"  # hammered by several senders at once


@contextmanager
def serving(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sb_emulator", "serve", "--port", "0", "--data-dir",
         str(data_dir), "--machines", str(MACHINES)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    seen = []
    url = None
    for line in proc.stdout:
        seen.append(line)
        found = LISTENING.match(line.strip())
        if found:
            url = found.group(1)
            break
    try:
        if url is None:
            pytest.fail("sb-emulator did not start:\n" + "".join(seen))
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=20)
        proc.stdout.close()


class Load:
    """Counts what was sent and what was acknowledged, per instance."""

    def __init__(self) -> None:
        self.sent = {name: 0 for name in [*SEQUENTIAL, SHARED]}
        self.acked = dict(self.sent)

    async def sequential(self, session: aiohttp.ClientSession, url: str, name: str) -> None:
        while True:
            self.sent[name] += 1
            await self._post(session, url, name)

    async def shared(self, session: aiohttp.ClientSession, url: str) -> None:
        while True:
            self.sent[SHARED] += 1
            await self._post(session, url, SHARED)

    async def _post(self, session: aiohttp.ClientSession, url: str, name: str) -> None:
        async with session.post(f"{url}/machines/tally/i/{name}/events",
                                json={"event": "inc"}) as res:
            await res.read()
            assert res.status == 200, res.status
        self.acked[name] += 1


async def drive_until_killed(url: str, proc: subprocess.Popen[str], token: str,
                             load: Load) -> None:
    headers = {"authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for name in [*SEQUENTIAL, SHARED]:
            async with session.post(f"{url}/machines/tally", json={"slug": name}) as res:
                assert res.status == 200, await res.text()
        senders = [asyncio.ensure_future(load.sequential(session, url, n)) for n in SEQUENTIAL]
        senders += [asyncio.ensure_future(load.shared(session, url)) for _ in range(4)]
        while sum(load.acked.values()) < 300:  # well into the traffic
            await asyncio.sleep(0.01)
            for task in senders:
                if task.done():
                    task.result()  # a failure before the kill is a real failure
        proc.send_signal(signal.SIGKILL)
        results = await asyncio.gather(*senders, return_exceptions=True)
    for result in results:  # every sender ends on the dead connection
        assert isinstance(result, aiohttp.ClientError | ConnectionError), result


async def read_back(url: str, token: str) -> dict[str, tuple[int, int]]:
    """Each instance's count and number of transitions (the initial one included)."""
    out = {}
    async with aiohttp.ClientSession(headers={"authorization": f"Bearer {token}"}) as session:
        for name in [*SEQUENTIAL, SHARED]:
            async with session.get(f"{url}/machines/tally/i/{name}/admin") as res:
                assert res.status == 200, await res.text()
                count = (await res.json())["context"]["count"]
            transitions = 0
            cursor = None
            while True:
                params = {"cursor": cursor} if cursor else {}
                async with session.get(f"{url}/machines/tally/i/{name}/events",
                                       params=params) as res:
                    assert res.status == 200, await res.text()
                    page = await res.json()
                transitions += len(page["transitions"])
                cursor = page.get("cursor")
                if not cursor:
                    break
            out[name] = (count, transitions)
    return out


def test_acknowledged_events_survive_a_sigkill(tmp_path: Path) -> None:
    token = mint_token(EmulatorConfig(), "crash-test")
    load = Load()
    with serving(tmp_path) as (url, proc):
        asyncio.run(drive_until_killed(url, proc, token, load))
    with serving(tmp_path) as (url, _):
        seen = asyncio.run(read_back(url, token))
        for name, (count, transitions) in seen.items():
            assert load.acked[name] <= count <= load.sent[name], (name, load.acked, load.sent)
            # the initial transition, then one per applied event: nothing half-written
            assert transitions == count + 1, (name, count, transitions)
        # and it goes on serving on the recovered state
        again = Load()
        asyncio.run(_one_more(url, token, again))
        assert asyncio.run(read_back(url, token))[SHARED][0] == seen[SHARED][0] + 1


async def _one_more(url: str, token: str, load: Load) -> None:
    async with aiohttp.ClientSession(headers={"authorization": f"Bearer {token}"}) as session:
        await load._post(session, url, SHARED)
