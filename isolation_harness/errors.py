"""Errors a user can act on.

Every message says what is wrong, shows the offending value and says how to fix it.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Self, TypeAlias


class IsolationHarnessError(Exception):
    """Base class of every error this library raises on purpose."""


class _NoValue(enum.Enum):
    NO_VALUE = enum.auto()

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue.NO_VALUE
"""``ConfigurationError.value`` when no value is at fault (a missing key, two settings that clash)."""

Phrase: TypeAlias = str | Callable[[str], str]
"""Text of an error; a function is given the spelling of the setting's option and returns the text."""

OptionNames: TypeAlias = Mapping[str, str] | Callable[[str], str]
"""How a front end spells each setting's option: ``{"tenants": "--tenants"}``, or a function of the name."""


class ConfigurationError(IsolationHarnessError):
    """The harness is misconfigured: a bad option, config file, or tenant setup.

    A misconfiguration is an *error* (exit code 4, pytest's usage error, from pytest and the CLI),
    never a test failure.

    Besides the message, the error carries as data the ``setting`` at fault (a setting name such
    as ``tenants``, or a config key such as ``tenants.login.token``), its ``value`` (``NO_VALUE``
    when none is at fault) and the ``fix`` on its own. A message or fix that names the setting's
    option is given as a function of the option's spelling: ``str(exc)`` spells it ``option``
    (pytest's spelling), :meth:`reworded` the way another front end does.
    """

    def __init__(
        self,
        message: Phrase,
        *,
        setting: str | None = None,
        value: object = NO_VALUE,
        fix: Phrase | None = None,
        option: str | None = None,
    ) -> None:
        if option is None and (callable(message) or callable(fix)):
            raise TypeError("a message that names an option needs the option's spelling")
        self._message = message
        self._fix = fix
        self.setting = setting
        self.value = value
        self.option = option
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The whole message: what is wrong, the value, and how to fix it."""
        return _spell(self._message, self.option)

    @property
    def fix(self) -> str | None:
        """What to do, on its own, for a front end that lays out the error itself."""
        return None if self._fix is None else _spell(self._fix, self.option)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # A function does not pickle: the copy keeps the words the error has now.
        fields = {"setting": self.setting, "value": self.value, "fix": self.fix, "option": self.option}
        return (_rebuild, (type(self), self.message, fields))

    def reworded(self, options: OptionNames) -> Self:
        """This error with its setting's option spelt as ``options`` spells it.

        A setting ``options`` does not name keeps its spelling; an error that names no option is
        returned as it is.
        """
        if self.setting is None or self.option is None:
            return self
        option = options(self.setting) if callable(options) else options.get(self.setting)
        if option is None or option == self.option:
            return self
        return type(self)(self._message, setting=self.setting, value=self.value, fix=self._fix, option=option)


def _spell(phrase: Phrase, option: str | None) -> str:
    return phrase(option or "") if callable(phrase) else phrase


def _rebuild(cls: type[ConfigurationError], message: str, fields: dict[str, Any]) -> ConfigurationError:
    return cls(message, **fields)


class SchemaLoadError(ConfigurationError):
    """The API description could not be loaded or holds nothing to test."""


class TargetUnreachableError(SchemaLoadError):
    """The API (or its description's URL) could not be reached over the network."""


class ProvisioningError(IsolationHarnessError):
    """A tenant could not be created or logged in."""


class TargetLostError(ProvisioningError):
    """The API stopped answering during the run: what follows would be no verdict."""


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or an empty string."""
    matches = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {matches[0]!r}?" if matches else ""
