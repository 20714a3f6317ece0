"""The chief of a search across processes: it serves Keras Tuner's oracle over gRPC (Keras
Tuner's own ``OracleServicer``, the protocol its ``OracleClient`` speaks), keeps the
leaderboard from the rows the workers write into the shared folder, and decides when the
search ends: the time budget, the trial limit or Stop on the chief (the oracle then answers
"STOPPED", and running trials are told to stop through ``cluster/chief.json``).

Keras Tuner's own chief loop (``oracle_chief.start_server``) waits for every worker that ever
asked for a trial to ask once more, so one worker that dies leaves it waiting for ever. Here
a worker whose heartbeat stops for ``_shared.silence_timeout()`` seconds has its trial ended
"failed" in the oracle and on the leaderboard, and the search goes on with the others.

Private to :mod:`automl_gui.core.tune.search`.
"""

from __future__ import annotations

import math
import time
import uuid
from typing import Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import Log, TrialEnded, TrialStarted, emit
from automl_gui.core.cluster.search_role import SearchRole
from automl_gui.core.tune.search import _shared
from automl_gui.core.tune.search.space import NOT_TRIALS, TrialRecord

TICK = 0.25  # seconds between looks at the folder and the heartbeats


def serve(runner: Any, tuner: Any, role: SearchRole, over: type[Exception]) -> None:
    """Serve ``tuner``'s oracle on ``role``'s address until the search ends (``over``: the
    exception ``runner.check_go_on`` raises to end it)."""
    Chief(runner, tuner.oracle, role, over).serve()


class Chief:
    def __init__(self, runner: Any, oracle: Any, role: SearchRole, over: type[Exception]) -> None:
        self.runner, self.oracle, self.role, self._over = runner, oracle, role, over
        self.folder = runner.folder
        self.token = uuid.uuid4().hex
        self.beat = 0
        self.ending = ""  # why no new trial starts ("" while they do)
        self.stop_sent = False
        self.failed_here: set[str] = set()  # trials this chief failed (their worker went)
        self.rows = _shared.RecordFiles(self.folder)
        self.silence = _shared.Silence()
        self.timeout = _shared.silence_timeout()
        self._waiting_said = False
        self.began: dict[str, float] = {}  # when each trial's first row arrived

    # the oracle's answers (gRPC threads)
    def should_stop(self) -> bool:
        """Whether a worker asking for a trial gets "STOPPED" (the runner's rules: Stop, the
        budget, the trial limit, counted over every worker's trials)."""
        if self.ending:
            return True
        started = {r.trial_id for r in self.runner.records if r.status not in NOT_TRIALS}
        # ended or running in the oracle, whether or not a row arrived (an interrupted
        # trial waiting in the oracle's retry queue after a resume is not counted: it runs
        # again, as on one machine)
        started |= set(self.oracle.end_order)
        started |= {t.trial_id for t in self.oracle.ongoing_trials.values()}
        try:
            self.runner.check_go_on(started=len(started))
        except self._over as exc:
            self.ending = str(exc) or "over"
            return True
        return False

    # the loop
    def serve(self) -> None:
        from concurrent import futures

        import grpc
        from keras_tuner.src import protos

        _shared.clear(self.folder)
        self.oracle.verbose = 0  # Keras Tuner's own trial printout: the chief's lines say it
        self._write_state()
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
        protos.get_service_grpc().add_OracleServicer_to_server(_servicer(self), server)
        if server.add_insecure_port(self.role.address) == 0:
            raise ConfigError(
                f"The search chief cannot listen on {self.role.address}.",
                "Choose a free port (KERASTUNER_ORACLE_PORT) and this host's own address "
                "(KERASTUNER_ORACLE_IP).",
            )
        server.start()
        emit(self.runner.on_event, Log(f"Serving the search's oracle on {self.role.address}."))
        try:
            next_beat = 0.0
            while not self._finished():
                time.sleep(TICK)
                now = time.monotonic()
                if now >= next_beat:
                    self._write_state()
                    next_beat = now + _shared.BEAT_SECONDS
        finally:
            self.ending = self.ending or "ended"
            self._write_state(over=True)
            self._last_rows()
            server.stop(grace=1.0)

    def _finished(self) -> bool:
        self._merge()
        self._reap()
        runner = self.runner
        if runner.cancel.cancelled and not self.stop_sent:
            self.ending = self.ending or "cancelled"
            self.stop_sent = True
            self._write_state()  # the workers stop their running trials
        ongoing = bool(self.oracle.ongoing_trials)
        if not self.ending and not ongoing and any(r.status != "running" for r in runner.records):
            # nobody asks (the workers are gone or idle): the budget ends the search here
            if time.monotonic() >= runner.trials_deadline() - runner.seconds_needed():
                self.should_stop()
        if not ongoing and not self.ending and not self.oracle.tuner_ids and not self._waiting_said:
            self._waiting_said = True
            emit(runner.on_event, Log("Waiting for search workers to ask for trials…"))
        return bool(self.ending) and not ongoing

    def _write_state(self, *, over: bool = False) -> None:
        self.beat += 1
        now = time.monotonic()
        trials_left = self.runner.trials_deadline() - now
        end_left = self.runner.end - now
        state = {
            "token": self.token,
            "beat": self.beat,
            "stop": self.stop_sent,
            "over": over,
            "trials_left": None if math.isinf(trials_left) else trials_left,
            "end_left": None if math.isinf(end_left) else end_left,
        }
        try:
            _shared.write_state(self.folder, _shared.CHIEF_FILE[: -len(".json")], state)
        except OSError:
            pass  # the next beat tries again

    # the leaderboard: the workers' rows
    def _merge(self) -> None:
        for row in self.rows.changed():
            if row.trial_id in self.failed_here:
                continue
            old = next((r for r in self.runner.records if r.trial_id == row.trial_id), None)
            self.runner.records = [r for r in self.runner.records if r.trial_id != row.trial_id]
            self.runner.records.append(row)
            self.runner.save_board()
            self.began.setdefault(row.trial_id, time.monotonic())
            if row.status == "running" and (old is None or old.status != "running"):
                emit(self.runner.on_event, TrialStarted(row.trial_id, dict(row.hyperparameters)))
            elif row.status != "running" and (old is None or old.status == "running"):
                emit(self.runner.on_event, TrialEnded(row))

    def _last_rows(self) -> None:
        """The rows of trials the oracle saw end but whose file had not arrived (a network
        file system shows a file late): wait a little, then call them failed."""
        give_up = time.monotonic() + min(10.0, self.timeout)
        while True:
            self._merge()
            late = [r for r in self.runner.records if r.status == "running"]
            if not late or time.monotonic() >= give_up:
                break
            time.sleep(TICK)
        for record in late:
            self._fail(record, "Its worker's last leaderboard row never arrived.")

    # workers that went
    def _reap(self) -> None:
        now = time.monotonic()
        for name in list(self.oracle.ongoing_trials):
            state = _shared.read_state(self.folder, name)
            if state is not None:
                self.silence.seen(name, state.get("beat"), now)
            else:
                self.silence.seen(name, None, now)  # not started beating yet: from now
            quiet = self.silence.quiet_for(name, now) or 0.0
            if quiet >= self.timeout:
                _end_dead(self.oracle, name, self, quiet)

    def worker_went(self, tuner_id: str, trial: Any, quiet: float) -> None:
        """Fail ``trial`` of the worker ``tuner_id`` that stopped beating (oracle lock held)."""
        from keras_tuner.src.engine import trial as trial_module

        why = (
            f"Worker {tuner_id} stopped answering during the trial (no heartbeat for "
            f"{quiet:.0f} s); the search went on without it."
        )
        trial.status = trial_module.TrialStatus.FAILED
        trial.message = why
        self.oracle.end_trial(trial)
        self.oracle.tuner_ids.discard(tuner_id)
        self.failed_here.add(trial.trial_id)
        record = next((r for r in self.runner.records if r.trial_id == trial.trial_id), None)
        if record is None:
            record = TrialRecord(
                trial.trial_id,
                dict(trial.hyperparameters.values),
                self.runner.search.objective,
                worker=tuner_id,
            )
            self.runner.records.append(record)
        self._fail(record, why)

    def _fail(self, record: TrialRecord, why: str) -> None:
        record.status, record.reason = "failed", why
        began = self.began.get(record.trial_id)
        if began is not None and not record.seconds:
            record.seconds = time.monotonic() - began  # from its row's arrival: near enough
        self.runner.save_board()
        emit(self.runner.on_event, Log(f"Trial {record.trial_id} failed: {why}", "warning"))
        emit(self.runner.on_event, TrialEnded(record))


def _end_dead(oracle: Any, tuner_id: str, chief: Chief, quiet: float) -> None:
    """End the trial of a worker that went, holding the oracle's lock (Keras Tuner's
    ``synchronized``: the gRPC thread may be answering another worker)."""
    from keras_tuner.src.engine.oracle import synchronized

    @synchronized
    def reap(oracle: Any) -> None:
        trial = oracle.ongoing_trials.get(tuner_id)
        if trial is not None:
            chief.worker_went(tuner_id, trial, quiet)

    reap(oracle)


def _servicer(chief: Chief) -> Any:
    """Keras Tuner's ``OracleServicer`` answering "STOPPED" when the chief's rules end the
    search, and leaving alone the trials it failed when their worker comes back."""
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer
    from keras_tuner.src.engine import trial as trial_module

    class _Servicer(OracleServicer):
        def CreateTrial(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC's name
            if request.tuner_id not in self.oracle.ongoing_trials and chief.should_stop():
                self.oracle.tuner_ids.discard(request.tuner_id)
                stopped = trial_module.Trial(
                    self.oracle.get_space(), trial_id="", status=trial_module.TrialStatus.STOPPED
                )
                return protos.get_service().CreateTrialResponse(trial=stopped.to_proto())
            return super().CreateTrial(request, context)

        def UpdateTrial(self, request: Any, context: Any) -> Any:  # noqa: N802
            if request.trial_id in chief.failed_here:
                trial = self.oracle.get_trial(request.trial_id)
                return protos.get_service().UpdateTrialResponse(trial=trial.to_proto())
            return super().UpdateTrial(request, context)

        def EndTrial(self, request: Any, context: Any) -> Any:  # noqa: N802
            if request.trial.trial_id in chief.failed_here:
                return protos.get_service().EndTrialResponse()
            return super().EndTrial(request, context)

    return _Servicer(chief.oracle)
