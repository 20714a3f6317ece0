"""A worker of a search across processes: it asks the chief's oracle for trials over gRPC
(Keras Tuner's own ``OracleClient``, on a channel kept here so it can be closed) and trains
them with the runner's ``run_trial``, as a one-machine search does. Its trials' rows and
weights go into the shared folder (``_shared``); a heartbeat thread writes its own beat,
follows the chief's (the time left for trials, Stop, the end) and ends the worker when the
chief goes quiet.

Private to :mod:`automl_gui.core.tune.search`.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from automl_gui.core.base.errors import CancelledError, ModelError
from automl_gui.core.base.events import Log, emit
from automl_gui.core.cluster.search_role import SearchRole
from automl_gui.core.tune.search import _shared


class WorkerLink:
    """This worker's connection to the chief: the gRPC channel and the heartbeats."""

    def __init__(self, runner: Any, role: SearchRole) -> None:
        self.runner, self.role = runner, role
        self.folder = runner.folder
        self.channel: Any = None
        self.token: str | None = None  # the chief session this worker joined
        self.over = False  # the chief said the search ended
        self.gone = ""  # why the chief counts as gone ("" while it answers)
        self.beat = 0
        self.silence = _shared.Silence()
        self.timeout = _shared.silence_timeout()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def connect(self) -> None:
        """Wait for the chief's oracle to answer (Stop on this worker ends the wait), then
        start the heartbeats."""
        import grpc
        from keras_tuner.src import protos
        from keras_tuner.src.distribute import oracle_client

        self.channel = grpc.insecure_channel(self.role.address)
        stub = protos.get_service_grpc().OracleStub(self.channel)
        emit(
            self.runner.on_event,
            Log(f"Search worker {self.role.tuner_id}: asking the oracle on {self.role.address}…"),
        )
        waiting = stub.GetSpace.future(
            protos.get_service().GetSpaceRequest(),
            wait_for_ready=True,
            timeout=oracle_client.TIMEOUT,
        )
        while not waiting.done():
            if self.runner.cancel.cancelled:
                waiting.cancel()
                self.channel.close()
                raise CancelledError("Stopped before the search chief answered.")
            time.sleep(0.2)
        try:
            waiting.result()
        except grpc.RpcError as exc:
            self.channel.close()
            raise ModelError(
                f"The search chief on {self.role.address} did not answer ({exc.code().name}).",
                "Start the chief (KERASTUNER_TUNER_ID=chief) first, check the address and "
                "port, and that this host can reach it.",
            ) from exc
        state = _shared.read_state(self.folder, "chief")
        self.token = state.get("token") if state else None
        if self.token is None:
            self.channel.close()
            raise ModelError(
                f"The search chief on {self.role.address} answers, but its state is not in "
                f"{self.folder}.",
                "Give every process the same shared search folder (--search-dir).",
            )
        self._follow(state, time.monotonic())
        self._thread = threading.Thread(target=self._beat_loop, name="search-heartbeat")
        self._thread.daemon = True
        self._thread.start()

    def attach(self, tuner: Any) -> None:
        """Let ``tuner`` speak to the chief on this link's channel (Keras Tuner built its own
        ``OracleClient``; this one is the same with a channel that can be closed)."""
        from keras_tuner.src import protos
        from keras_tuner.src.distribute.oracle_client import OracleClient

        client = tuner.oracle
        if not isinstance(client, OracleClient):
            raise ModelError(
                "Keras Tuner did not start as a search worker.",
                "Check the KERASTUNER_* variables.",
            )
        client.stub = protos.get_service_grpc().OracleStub(self.channel)

    def search(self, tuner: Any, over: type[Exception]) -> None:
        """Run trials until the oracle says "STOPPED", the chief ends the search, or Stop."""
        import grpc
        from keras_tuner.src import config

        debug, config.DEBUG = config.DEBUG, False  # no traceback for a trial cut off by a
        try:  # chief that went (its row says why a trial failed)
            tuner.search(verbose=0)
        except over:
            pass
        except (grpc.RpcError, ValueError) as exc:
            # a call on the channel this link closed raises ValueError ("closed channel")
            if isinstance(exc, ValueError) and "closed channel" not in str(exc):
                raise
            hint = "Start the chief again with --resume, then the workers (the same command)."
            if self.gone:
                raise ModelError(
                    f"The search chief on {self.role.address} {self.gone}.", hint
                ) from exc
            if not self.over and not self.runner.cancel.cancelled:
                code = exc.code().name if isinstance(exc, grpc.RpcError) else "closed"
                raise ModelError(
                    f"The search chief on {self.role.address} stopped answering ({code}).", hint
                ) from exc
        finally:
            config.DEBUG = debug

    def close(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self.channel is not None:
            self.channel.close()

    # the heartbeat thread
    def _beat_loop(self) -> None:
        while not self._done.wait(_shared.BEAT_SECONDS):
            self.beat += 1
            current = next((r for r in self.runner.records if r.status == "running"), None)
            try:
                _shared.write_state(
                    self.folder,
                    self.role.tuner_id,
                    {"beat": self.beat, "trial": current.trial_id if current else None},
                )
            except OSError:
                pass  # the next beat tries again
            now = time.monotonic()
            state = _shared.read_state(self.folder, "chief")
            if state is not None and state.get("token") == self.token:
                self._follow(state, now)
            quiet = self.silence.quiet_for("chief", now) or 0.0
            if quiet >= self.timeout and not self.over:
                self.gone = f"stopped answering (no heartbeat for {quiet:.0f} s)"
                self.runner.cancel.cancel()  # its trial cannot be reported: end it
                self._end()

    def _follow(self, state: dict[str, Any], now: float) -> None:
        """Take the chief's state: its time limits, Stop, the end."""
        self.silence.seen("chief", state.get("beat"), now)
        runner = self.runner
        trials_left, end_left = state.get("trials_left"), state.get("end_left")
        runner.deadline = now + float(trials_left) if trials_left is not None else float("inf")
        runner.end = now + float(end_left) if end_left is not None else float("inf")
        if state.get("stop") and not runner.cancel.cancelled:
            emit(runner.on_event, Log("Stopped on the search chief: the trial ends here."))
            runner.cancel.cancel()
        if state.get("over") and not self.over:
            self.over = True
            self._end()

    def _end(self) -> None:
        """Wake the worker's call to the oracle: the chief is done or gone."""
        if self.channel is not None:
            self.channel.close()
