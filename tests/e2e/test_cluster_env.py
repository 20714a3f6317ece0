"""``automl-gui cluster-env`` as the exported launch files run it: the sbatch script through a
stand-in ``srun`` that starts its tasks with Slurm's variables, the Indexed Job's and the
TFJob's container commands as Kubernetes would start them; the real ``automl-gui
cluster-env`` builds each task's variables and a stand-in ``automl-gui train`` records what
it got. Nothing trains and nothing is contacted (host names are never resolved)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from automl_gui.cli import build_parser, main
from automl_gui.core.cluster.job_export import JobSettings, JobTarget, export_job
from automl_gui.core.cluster.tf_config import parse_tf_config, tf_config

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
TIMEOUT_S = 60
SEARCH_ARGS = ["--target", "y", "--model", "auto", "--trials", "2"]
TRAIN_ARGS = ["--target", "y", "--model", "mlp", "--epochs", "2"]

#: the app: cluster-env is the real one, train records its arguments and variables
FAKE_APP = f"""#!/usr/bin/env bash
if [ "$1" = cluster-env ]; then exec {sys.executable} -m automl_gui "$@"; fi
out="$RECORDS/task-${{SLURM_PROCID:-${{JOB_COMPLETION_INDEX:-$TASK}}}}"
printf "%s\\n" "$@" > "$out.args"
env | grep -E "^(TF_CONFIG|KERASTUNER_)" | sort > "$out.env" || true
"""
#: srun: one task per node of the step, each with Slurm's own variables
FAKE_SRUN = """#!/usr/bin/env bash
n=0
while [ "${1#--}" != "$1" ]; do case "$1" in --ntasks=*) n="${1#--ntasks=}";; esac; shift; done
pids=()
for ((i = 0; i < n; i++)); do
  SLURM_PROCID=$i SLURM_NTASKS=$n SLURM_STEP_NUM_TASKS=$n SLURM_STEP_NODELIST='node[07-09]' \\
    SLURM_STEP_TASKS_PER_NODE="1(x$n)" "$@" & pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
"""


@pytest.fixture
def tools(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("automl-gui-fake", FAKE_APP), ("srun", FAKE_SRUN)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    records = tmp_path / "records"
    records.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "TF_CONFIG"))}
    return {
        **env,
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
        "AUTOML_GUI": str(bin_dir / "automl-gui-fake"),
        "RECORDS": str(records),
    }


def job(tmp_path: Path, mode: str, workers: int) -> Path:
    data = tmp_path / "t.csv"
    data.write_text("a,y\n1,0\n")
    out = tmp_path / f"{mode}-job"
    args = SEARCH_ARGS if mode == "search" else TRAIN_ARGS
    export_job(JobSettings(data, "tabular", args), JobTarget(mode=mode, workers=workers), out)
    return out


def recorded(env: dict[str, str], count: int) -> list[tuple[list[str], dict[str, str]]]:
    """Each task's command line and variables, checked through the real parser."""
    got = []
    for i in range(count):
        base = Path(env["RECORDS"]) / f"task-{i}"
        args = base.with_suffix(".args").read_text().splitlines()
        build_parser().parse_args(args)
        lines = base.with_suffix(".env").read_text().splitlines()
        got.append((args, dict(line.split("=", 1) for line in lines)))
    return got


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    return done


def test_the_command_prints_export_lines_or_one_clear_error(monkeypatch, capsys):
    for name in [n for n in os.environ if n.startswith("SLURM_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SLURM_JOB_NODELIST", "gpu[1-2]")
    monkeypatch.setenv("SLURM_PROCID", "1")
    monkeypatch.setenv("SLURM_NTASKS", "2")
    assert main(["cluster-env", "--from", "slurm", "--port", "3000"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("export TF_CONFIG=")
    info = parse_tf_config(line.split("=", 1)[1].strip("'"))
    assert (info.rank, info.address) == (1, "gpu2:3000")
    monkeypatch.delenv("SLURM_PROCID")
    assert main(["cluster-env", "--from", "slurm"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [err[0]] and err[0].startswith("error: SLURM_PROCID is not set.")


def test_sbatch_tasks_build_a_search_from_slurm_variables(tmp_path, tools):
    folder = job(tmp_path, "search", 2)
    env = {**tools, "SLURM_SUBMIT_DIR": str(folder)}
    run(["bash", str(folder / "slurm.sbatch"), "--resume"], tmp_path, env)
    tasks = recorded(env, 3)
    assert [v["KERASTUNER_TUNER_ID"] for _, v in tasks] == ["chief", "tuner0", "tuner1"]
    assert {(v["KERASTUNER_ORACLE_IP"], v["KERASTUNER_ORACLE_PORT"]) for _, v in tasks} == {
        ("node07", "12345")
    }
    assert all("TF_CONFIG" not in v and "--resume" in a for a, v in tasks)


def test_indexed_job_pods_build_their_tf_config(tmp_path, tools):
    folder = job(tmp_path, "train", 2)
    _service, spec = yaml.safe_load_all((folder / "kubernetes-job.yaml").read_text())
    container = spec["spec"]["template"]["spec"]["containers"][0]
    pod_env = {e["name"]: e["value"] for e in container["env"]}
    for index in range(2):  # the pods, as Kubernetes starts them (its index; /job is here)
        env = {
            **tools,
            **pod_env,
            "AUTOML_GUI": tools["AUTOML_GUI"],
            "JOB_COMPLETION_INDEX": str(index),
        }
        run(container["command"], folder, env)
    infos = [parse_tf_config(v["TF_CONFIG"]) for _, v in recorded(tools, 2)]
    assert [(i.rank, i.is_chief) for i in infos] == [(0, True), (1, False)]
    assert infos[1].address == "job-1.job:12345"


def test_tfjob_search_pods_turn_the_operators_tf_config_into_keras_tuner_variables(tmp_path, tools):
    folder = job(tmp_path, "search", 1)
    spec = yaml.safe_load((folder / "tfjob.yaml").read_text())["spec"]["tfReplicaSpecs"]
    workers = ["job-worker-0.default.svc:12345"]
    chief = "job-chief-0.default.svc:12345"
    for task, (kind, index) in enumerate([("Chief", -1), ("Worker", 0)]):
        container = spec[kind]["template"]["spec"]["containers"][0]
        operator = {"TF_CONFIG": tf_config(workers, index, chief=chief), "TASK": str(task)}
        run(container["command"], folder, {**tools, **operator})
    tasks = recorded(tools, 2)
    assert [v["KERASTUNER_TUNER_ID"] for _, v in tasks] == ["chief", "tuner0"]
    assert {v["KERASTUNER_ORACLE_IP"] for _, v in tasks} == {"job-chief-0.default.svc"}
    assert all("TF_CONFIG" not in v for _, v in tasks)
