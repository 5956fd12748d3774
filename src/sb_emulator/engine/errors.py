"""The errors the engine raises: a bad machine config, and a machine that never settles."""

from __future__ import annotations

from collections.abc import Iterable


class MachineConfigError(ValueError):
    """A machine config that XState v4 would reject or misbehave on.

    ``path`` is the dotted path inside the config (``states.pending.on.place[0].target``),
    ``expected`` says what would have been right.
    """

    def __init__(self, path: str, problem: str, expected: str = "", hint: str = "") -> None:
        self.path = path
        self.problem = problem
        self.expected = expected
        self.hint = hint
        text = f"{path}: {problem}" if path else problem
        if expected:
            text += f"; expected {expected}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class MachineLoopError(RuntimeError):
    """A machine that keeps sending itself events while handling one event (XState's
    interpreter would loop forever): raised instead of hanging the caller."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A "did you mean" hint for a near-miss name, or an empty string."""
    import difflib  # only when there is a mistake to suggest a fix for

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f'did you mean "{close[0]}"?' if close else ""


def one_of(choices: Iterable[str]) -> str:
    names = sorted(choices)
    if not names:
        return "nothing (none are defined)"
    return "one of " + ", ".join(f'"{n}"' for n in names)
