"""Keras Tuner's distributed-search variables read into a :class:`SearchRole` (pure).

Keras Tuner runs a search across processes with three environment variables (its own
convention, ``keras_tuner/src/distribute/utils.py``): ``KERASTUNER_TUNER_ID`` ("chief" for the
process that serves the oracle, any other name, e.g. "tuner0", for a worker that runs
trials), ``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT`` (where the chief's gRPC
oracle listens). :func:`search_role` reads them: None when none is set (a one-machine
search), a ConfigError naming what is wrong when they are half set or malformed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from automl_gui.core.base.errors import ConfigError

TUNER_ID = "KERASTUNER_TUNER_ID"
ORACLE_IP = "KERASTUNER_ORACLE_IP"
ORACLE_PORT = "KERASTUNER_ORACLE_PORT"
VARIABLES = (TUNER_ID, ORACLE_IP, ORACLE_PORT)
CHIEF = "chief"
_HINT = (
    "Set all three for a search across processes (KERASTUNER_TUNER_ID=chief on the process "
    "that serves the oracle, tuner0, tuner1, ... on the workers; KERASTUNER_ORACLE_IP and "
    "KERASTUNER_ORACLE_PORT: the chief's address and a free port), or none of them to search "
    "on this machine."
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


@dataclass(frozen=True)
class SearchRole:
    """This process's part in a search across processes.

    Attributes:
        tuner_id: Keras Tuner's id: "chief", or a worker's name ("tuner0", ...).
        oracle_ip: the chief oracle's host name or IP address.
        oracle_port: its port.
    """

    tuner_id: str
    oracle_ip: str
    oracle_port: int

    @property
    def is_chief(self) -> bool:
        """Whether this process serves the oracle, keeps the leaderboard and the model."""
        return self.tuner_id == CHIEF

    @property
    def address(self) -> str:
        """``host:port`` of the chief's oracle (brackets around an IPv6 address)."""
        host = f"[{self.oracle_ip}]" if ":" in self.oracle_ip else self.oracle_ip
        return f"{host}:{self.oracle_port}"

    def environment(self) -> dict[str, str]:
        """The three variables that describe this role (what Keras Tuner reads)."""
        return {
            TUNER_ID: self.tuner_id,
            ORACLE_IP: self.oracle_ip,
            ORACLE_PORT: str(self.oracle_port),
        }

    def describe(self) -> str:
        """``search chief serving the oracle on 10.0.0.1:8000`` / ``search worker tuner0 of
        the oracle on 10.0.0.1:8000``."""
        if self.is_chief:
            return f"search chief serving the oracle on {self.address}"
        return f"search worker {self.tuner_id} of the oracle on {self.address}"


def search_role(env: Mapping[str, str]) -> SearchRole | None:
    """The role the KERASTUNER_* variables in ``env`` give (None: none set, one machine).

    Raises:
        ConfigError: some but not all are set, or one is malformed (an empty or odd tuner
            id, a host with spaces, a port that is not 1-65535).
    """
    given = {name: env.get(name, "").strip() for name in VARIABLES}
    if not any(given.values()):
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        have = ", ".join(name for name, value in given.items() if value)
        raise ConfigError(
            f"{have} {'is' if ',' not in have else 'are'} set but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not.",
            _HINT,
        )
    tuner_id, ip, port_text = given[TUNER_ID], given[ORACLE_IP], given[ORACLE_PORT]
    if not _ID.match(tuner_id):
        raise ConfigError(
            f"{TUNER_ID}={tuner_id!r} is not a tuner id (letters, digits, '_', '.', '-').",
            _HINT,
        )
    # Keras Tuner treats any id containing "chief" as the chief: refuse the ambiguous ones
    if CHIEF in tuner_id and tuner_id != CHIEF:
        raise ConfigError(
            f"{TUNER_ID}={tuner_id!r}: Keras Tuner would take it for the chief.",
            "Call the chief exactly 'chief' and the workers without that word (tuner0, ...).",
        )
    if any(c.isspace() for c in ip) or "/" in ip:
        raise ConfigError(f"{ORACLE_IP}={ip!r} is not a host name or IP address.", _HINT)
    ip = ip[1:-1] if ip.startswith("[") and ip.endswith("]") else ip
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise ConfigError(f"{ORACLE_PORT}={port_text!r} is not a port (1-65535).", _HINT)
    return SearchRole(tuner_id, ip, port)
