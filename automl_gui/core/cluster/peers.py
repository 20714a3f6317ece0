"""Before ``MultiWorkerMirroredStrategy``: wait until every other process of the cluster
listens, saying so first, bounded in time, and interruptible.

TensorFlow's strategy waits for the whole cluster inside C++ (no timeout for the first
contact, and Python's Ctrl+C/SIGTERM handlers cannot run meanwhile), so a mistyped host or a
worker that never started used to leave a silent process that only SIGKILL ended. Here each
process listens on its own port (so the others see it up) and connects to the others' ports
from Python, in short steps, until all answer: then it lets go of its port for TensorFlow's
server and the strategy forms at once. Pure Python sockets: no TensorFlow.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator, Mapping

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.cluster.tf_config import ClusterInfo

#: seconds to wait for the other processes to start (environment variable overrides)
START_TIMEOUT_ENV = "AUTOML_CLUSTER_START_TIMEOUT"
DEFAULT_START_TIMEOUT = 600.0
_POLL = 0.5


def start_timeout(env: Mapping[str, str]) -> float:
    """How long a process waits for the others (``AUTOML_CLUSTER_START_TIMEOUT``, seconds)."""
    raw = env.get(START_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_START_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(
            f"{START_TIMEOUT_ENV} is '{raw}'; it must be a number of seconds above 0.",
            f"Unset it to wait {DEFAULT_START_TIMEOUT:.0f} s for the other workers.",
        )
    return value


def addresses(cluster: ClusterInfo) -> list[str]:
    """Every process's ``host:port``, in rank order (the chief first)."""
    return ([cluster.chief] if cluster.chief else []) + list(cluster.workers)


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def reachable(address: str, *, timeout: float = 1.0) -> bool:
    """Whether something listens at ``host:port`` (a name that does not resolve yet, as a
    Kubernetes pod's before it starts, counts as not yet)."""
    try:
        with socket.create_connection(_split(address), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def _listening(address: str) -> Iterator[None]:
    """Listen on this process's own port while it waits, so the others see it up."""
    port = _split(address)[1]
    dual = socket.has_dualstack_ipv6()
    try:
        server = socket.create_server(
            ("", port),
            family=socket.AF_INET6 if dual else socket.AF_INET,
            dualstack_ipv6=dual,
            backlog=64,
        )
    except OSError as exc:
        raise ConfigError(
            f"This process's port {port} ({address} in TF_CONFIG) is in use ({exc.strerror}).",
            "End the program using it (an earlier run still going?) or give this task "
            "another port in TF_CONFIG.",
        ) from exc
    try:
        yield
    finally:
        server.close()


def wait_for_peers(
    cluster: ClusterInfo,
    *,
    timeout: float,
    say: Callable[[str], None],
    poll: float = _POLL,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once every other process of ``cluster`` listens; say what it waits for first.

    Sleeps in short steps in Python, so Ctrl+C and SIGTERM end the wait (KeyboardInterrupt).

    Raises:
        ConfigError: some did not answer within ``timeout`` seconds (names them), or this
            process's own port is taken.
    """
    mine = cluster.rank
    missing = [a for rank, a in enumerate(addresses(cluster)) if rank != mine]
    say(
        f"{cluster.describe()}: waiting for the other workers: {', '.join(missing)} "
        f"(TF_CONFIG); up to {timeout:.0f} s."
    )
    deadline = clock() + timeout
    with _listening(cluster.address):
        while True:
            missing = [a for a in missing if not reachable(a, timeout=min(1.0, poll * 2))]
            if not missing:
                return
            if clock() >= deadline:
                break
            time.sleep(poll)
    many = len(missing) > 1
    raise ConfigError(
        f"{cluster.describe()}: {'these workers' if many else 'this worker'} did not start "
        f"within {timeout:.0f} s: {', '.join(missing)} cannot be reached.",
        "Start `automl-gui train` with the same TF_CONFIG cluster (and its own task) on "
        f"{'each of them' if many else 'it'}; check the host names and that the port is open "
        f"between the hosts, or wait longer with {START_TIMEOUT_ENV}=SECONDS.",
    )
