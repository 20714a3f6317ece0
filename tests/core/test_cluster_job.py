"""Exporting a training job: the window's settings as ``automl-gui train`` options (parsed
by the real parser), and every file of the job folder checked: the YAML against the fields
Kubernetes and Kubeflow require, the shell scripts with ``bash -n`` and run with a stand-in
app that records what each process would get."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from automl_gui.cli import build_parser
from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.cluster._launch_kube import to_yaml
from automl_gui.core.cluster.job_export import (
    JobSettings,
    JobTarget,
    export_job,
    job_name,
    plan_job,
    train_args_for,
)
from automl_gui.core.cluster.tf_config import parse_tf_config

BASH = shutil.which("bash")
TABLE_ARGS = ["--target", "y", "--model", "mlp", "--epochs", "3"]
SEARCH_ARGS = ["--target", "y", "--model", "auto", "--trials", "4"]


def parse_train(command: list[str]):
    """The command through the real ``automl-gui`` parser (exits on a bad option)."""
    assert command[0] == "automl-gui"
    return build_parser().parse_args(command[1:])


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "my data.csv"
    path.write_text("a,y\n1,0\n2,1\n3,0\n")
    return path


def export(tmp_path: Path, data: Path, args=TABLE_ARGS, name="job", **target) -> Path:
    out = tmp_path / f"{name}-folder"
    export_job(JobSettings(data, "tabular", list(args), name=name), JobTarget(**target), out)
    return out


# -- the window's settings as options ---------------------------------------------------------
def test_table_settings_become_options_and_the_rest_is_named():
    left: list[str] = []
    args = train_args_for(
        {
            "kind": "tabular",
            "preprocess": {"target": "y", "task": "binary", "columns": [{"name": "a"}]},
            "model": {"auto": False, "hidden_units": [8], "numeric_embedding": "periodic"},
            "training": {
                "epochs": 20,
                "batch_size": 64,
                "seed": 7,
                "weight_decay": 0.01,
                "class_weights": "none",
                "learning_rate": 0.01,
                "refit": True,
            },
        },
        left_out=left,
    )
    parsed = parse_train(["automl-gui", "train", "d.csv", *args])
    assert (parsed.target, parsed.task, parsed.model) == ("y", "binary", "mlp")
    assert (parsed.epochs, parsed.batch_size, parsed.seed) == (20, 64, 7)
    assert (parsed.weight_decay, parsed.class_weights, parsed.refit) == (0.01, "none", True)
    assert parsed.numeric_embedding == "periodic"
    said = " | ".join(left)
    assert "learning rate 0.01" in said and "hand-set size" in said and "column settings" in said


def test_file_settings_take_their_kind_options_and_skip_defaults():
    from dataclasses import asdict

    from automl_gui.core.kinds import kind_named

    kind = kind_named("images")
    pre = asdict(kind.default_preprocess(None))
    pre["image_size"] = 96
    pre["augment"]["enabled"] = False
    pre["augment"]["zoom"] = 0.3
    model = asdict(kind.default_model())
    model.update(architecture="cnn", allow_download=False)
    left: list[str] = []
    args = train_args_for(
        {
            "kind": "images",
            "preprocess": pre,
            "model": model,
            "training": {"epochs": 0, "time_budget": 600},
        },
        left_out=left,
    )
    parsed = parse_train(["automl-gui", "train", "folder", *args])
    assert (parsed.model, parsed.image_size, parsed.augment) == ("cnn", 96, False)
    assert parsed.no_download and parsed.time_budget == 600 and parsed.epochs is None
    assert any("zoom" in note for note in left)
    left.clear()
    model.update(weights_path="/here/w.h5", architecture="resnet50")
    args = train_args_for({"kind": "images", "model": model}, left_out=left)
    assert args[args.index("--weights") + 1] == "/here/w.h5"
    assert "path on this computer" in left[0]
    auto_sized = {"auto": True, "hidden_units": [512], "dropout": 0.4}
    train_args_for({"kind": "tabular", "model": auto_sized}, left_out=left)
    assert len(left) == 1  # Auto sizes the network: its sizes are no setting of the user's
    assert "--color-mode" not in args  # the default is left to the command line
    named = train_args_for({"kind": "images", "target": "label", "text_column": "x"})
    assert named == ["--model", "auto"]  # an image folder's classes are its subfolders


def test_auto_model_with_a_budget_would_search_so_the_budget_stays_behind():
    left: list[str] = []
    args = train_args_for(
        {"kind": "audio", "model": {"architecture": "auto"}, "training": {"time_budget": 60}},
        left_out=left,
    )
    assert "--time-budget" not in args and any("time budget" in n for n in left)


def test_search_settings_run_a_search_and_drop_what_it_decides():
    args = train_args_for(
        {
            "kind": "tabular",
            "target": "y",
            "model": {"numeric_embedding": "periodic"},
            "training": {"epochs": 5, "seed": 3, "refit": True},
            "search": {
                "time_budget": 900,
                "max_trials": 10,
                "algorithm": "random",
                "max_epochs": 12,
                "cross_validation": "on",
            },
        }
    )
    parsed = parse_train(["automl-gui", "train", "d.csv", *args])
    assert (parsed.model, parsed.time_budget, parsed.trials) == ("auto", 900, 10)
    assert (parsed.search, parsed.epochs, parsed.cross_validation) == ("random", 12, "on")
    assert parsed.numeric_embedding is None and not parsed.refit and parsed.seed == 3
    with pytest.raises(ConfigError, match="neither a time budget nor"):
        train_args_for({"kind": "tabular", "search": {"algorithm": "random"}})


def test_text_settings_name_their_columns():
    args = train_args_for(
        {
            "kind": "text",
            "target": "label",
            "text_column": "body",
            "preprocess": {"split": "character", "max_tokens": 5000},
            "model": {"architecture": "sepcnn"},
        }
    )
    parsed = parse_train(["automl-gui", "train", "t.csv", *args])
    assert (parsed.text_column, parsed.target, parsed.token_split) == ("body", "label", "character")
    assert (parsed.max_tokens, parsed.model) == (5000, "sepcnn")


# -- the job folder ---------------------------------------------------------------------------
def test_job_folder_holds_every_file_and_the_exact_command(tmp_path, table):
    out = export(tmp_path, table, name="My Job!")
    names = {p.name for p in out.iterdir()}
    assert names == {
        "job.json",
        "data.txt",
        "run-on-hosts.sh",
        "slurm.sbatch",
        "kubernetes-job.yaml",
        "tfjob.yaml",
        "README.txt",
        "output",
    }
    job = json.loads((out / "job.json").read_text())
    assert job["name"] == "my-job" and job["mode"] == "train"
    parsed = parse_train(job["command"])
    assert parsed.data == "data/my data.csv" and parsed.out == "output/run"
    assert parsed.checkpoint_dir == "output/checkpoints"
    assert job["data"] == {"original": str(table), "in_job": "data/my data.csv", "copied": False}
    assert str(table) in (out / "data.txt").read_text()
    assert "File > Open Run Folder" in (out / "README.txt").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_data_is_copied_when_asked_and_never_into_itself(tmp_path, table):
    out = export(tmp_path, table, copy_data=True)
    assert (out / "data" / table.name).read_text() == table.read_text()
    folder = tmp_path / "images"
    (folder / "cat").mkdir(parents=True)
    (folder / "cat" / "a.png").write_bytes(b"x")
    out = tmp_path / "images-job"
    export_job(JobSettings(folder, "images", ["--epochs", "2"]), JobTarget(copy_data=True), out)
    assert (out / "data" / "images" / "cat" / "a.png").exists()
    with pytest.raises(DataError, match="inside the data folder"):
        export_job(JobSettings(folder, "images", []), JobTarget(copy_data=True), folder / "j")


def test_an_existing_folder_is_never_written_over(tmp_path, table):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    with pytest.raises(ConfigError, match="already exists"):
        export_job(JobSettings(table, "tabular", TABLE_ARGS), JobTarget(), out)
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


def test_a_failed_write_leaves_nothing(tmp_path, table, monkeypatch):
    import automl_gui.core.cluster._launch_kube as kube

    monkeypatch.setattr(kube, "tfjob", lambda plan: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        export(tmp_path, table)
    assert sorted(p.name for p in tmp_path.iterdir()) == [table.name]


@pytest.mark.parametrize(
    ("args", "target", "words"),
    [
        (TABLE_ARGS + ["--out", "x"], {}, "sets --out itself"),
        (TABLE_ARGS + ["--resume"], {}, "sets --resume itself"),
        (SEARCH_ARGS, {}, "does not train across workers"),
        (TABLE_ARGS, {"mode": "search"}, "needs a search"),
        (TABLE_ARGS, {"mode": "tune"}, "Unknown job mode"),
        (TABLE_ARGS, {"workers": 0}, "1 to 512"),
        (TABLE_ARGS, {"hosts": ["a", "b", "c"]}, "3 hosts for 2 processes"),
        (TABLE_ARGS, {"hosts": ["a"]}, "1 host for 2 processes"),
        (SEARCH_ARGS, {"mode": "search", "hosts": ["a", "b"]}, "2 hosts for 3 processes"),
        (TABLE_ARGS, {"hosts": ["a b", "c"]}, "not a host name"),
        (TABLE_ARGS, {"hosts": ["a:1", "a:1"]}, "share a host and port"),
        (TABLE_ARGS, {"image": "two words"}, "not a container image"),
    ],
)
def test_targets_that_cannot_run_are_refused(table, args, target, words):
    with pytest.raises(ConfigError, match=words):
        plan_job(JobSettings(table, "tabular", args), JobTarget(**target))


def test_an_empty_image_is_the_default_and_search_workers_are_named_as_the_leaderboard(table):
    plan = plan_job(JobSettings(table, "tabular", TABLE_ARGS), JobTarget(image=" "))
    assert plan.image == "automl-gui:latest"
    search = plan_job(JobSettings(table, "tabular", SEARCH_ARGS), JobTarget(mode="search"))
    assert [p.role for p in search.processes][1:] == [
        "search worker tuner0",
        "search worker tuner1",
    ]


def test_names_become_dns_labels():
    assert job_name("My Job!") == "my-job"
    assert job_name("2024 run") == "job-2024-run"
    assert job_name("···") == "job"
    assert len(job_name("x" * 90)) == 40


# -- the launch files -------------------------------------------------------------------------
def check_pod_template(template: dict, labels: dict | None = None) -> dict:
    """A pod template Kubernetes takes: containers with name, image, command; returns the
    first container."""
    spec = template["spec"]
    container = spec["containers"][0]
    for key in ("name", "image", "command"):
        assert container[key], key
    assert all(set(e) == {"name", "value"} for e in container.get("env", []))
    mounts = {m["name"] for m in container["volumeMounts"]}
    assert mounts <= {v["name"] for v in spec["volumes"]}
    if labels is not None:
        assert template["metadata"]["labels"] == labels
    return container


@pytest.mark.parametrize(("mode", "args"), [("train", TABLE_ARGS), ("search", SEARCH_ARGS)])
def test_kubernetes_files_have_what_kubernetes_requires(tmp_path, table, mode, args):
    out = export(tmp_path, table, args, mode=mode, workers=3, image="reg.io/automl-gui:1")
    service, job = yaml.safe_load_all((out / "kubernetes-job.yaml").read_text())
    size = 3 + (mode == "search")
    assert (service["apiVersion"], service["kind"]) == ("v1", "Service")
    assert service["spec"]["clusterIP"] == "None"
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    assert job["metadata"]["name"] and job["metadata"]["name"] == service["metadata"]["name"]
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"] == size
    assert spec["template"]["spec"]["subdomain"] == service["metadata"]["name"]
    assert spec["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")  # a Job's rule
    container = check_pod_template(spec["template"], labels=service["spec"]["selector"])
    assert container["image"] == "reg.io/automl-gui:1"
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["AUTOML_GUI_PODS"] == str(size)
    script = container["command"][2]
    assert f"cluster-env --from kubernetes --mode {mode}" in script
    tf = yaml.safe_load((out / "tfjob.yaml").read_text())
    assert (tf["apiVersion"], tf["kind"]) == ("kubeflow.org/v1", "TFJob")
    replicas = tf["spec"]["tfReplicaSpecs"]
    assert set(replicas) == ({"Chief", "Worker"} if mode == "search" else {"Worker"})
    assert sum(r["replicas"] for r in replicas.values()) == size
    for replica in replicas.values():
        assert replica["restartPolicy"] in ("Never", "OnFailure", "ExitCode", "Always")
        assert check_pod_template(replica["template"])["name"] == "tensorflow"
    if mode == "train":
        parse_train(replicas["Worker"]["template"]["spec"]["containers"][0]["command"])


def test_yaml_writer_round_trips_awkward_values():
    value = {
        "a b": ["x: y", "#no", "", "multi\nline\n", "yes", 1.5, None, True, {}, []],
        "k": {"n": [{"p": 1, "q": "two\nlines"}]},
    }
    assert yaml.safe_load(to_yaml(value)) == value


def run_script(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def fake_app(tmp_path: Path) -> Path:
    """A stand-in for ``automl-gui train`` that records its arguments and variables."""
    app = tmp_path / "fake-app"
    app.write_text(
        "#!/usr/bin/env bash\n"
        'printf "%s\\n" "$@" > "$RECORD.args"\n'
        'env | grep -E "^(TF_CONFIG|KERASTUNER_)" | sort > "$RECORD.env" || true\n'
    )
    app.chmod(0o755)
    return app


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize(("mode", "args"), [("train", TABLE_ARGS), ("search", SEARCH_ARGS)])
def test_run_on_hosts_gives_each_process_its_variables(tmp_path, table, mode, args):
    out = export(tmp_path, table, args, mode=mode, hosts=["127.0.0.1"] * (2 + (mode == "search")))
    script = out / "run-on-hosts.sh"
    assert run_script([BASH, "-n", str(script)], out, {}).returncode == 0
    app = fake_app(tmp_path)
    size = 2 + (mode == "search")
    for i in range(size):
        record = tmp_path / f"p{i}"
        done = run_script(
            [str(script), str(i), "--resume"],
            tmp_path,
            {"AUTOML_GUI": str(app), "RECORD": str(record), "TF_CONFIG": "{}"},
        )
        assert done.returncode == 0, done.stderr
        command = ["automl-gui", *Path(f"{record}.args").read_text().splitlines()]
        assert parse_train(command).resume
        env = dict(line.split("=", 1) for line in Path(f"{record}.env").read_text().splitlines())
        if mode == "train":
            info = parse_tf_config(env["TF_CONFIG"])
            assert (info.rank, info.size, info.is_chief) == (i, size, i == 0)
            assert info.address == f"127.0.0.1:{12345 + i}"
        else:
            assert "TF_CONFIG" not in env
            assert env["KERASTUNER_TUNER_ID"] == ("chief" if i == 0 else f"tuner{i - 1}")
            assert (env["KERASTUNER_ORACLE_IP"], env["KERASTUNER_ORACLE_PORT"]) == (
                "127.0.0.1",
                "12345",
            )
    bad = run_script([str(script), str(size)], tmp_path, {"AUTOML_GUI": str(app)})
    assert bad.returncode == 2 and "PROCESS must be" in bad.stderr


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_sbatch_asks_one_task_per_node(tmp_path, table):
    out = export(tmp_path, table, SEARCH_ARGS, mode="search", workers=2, name="nightly")
    text = (out / "slurm.sbatch").read_text()
    assert run_script([BASH, "-n", str(out / "slurm.sbatch")], out, {}).returncode == 0
    directives = dict(
        line[len("#SBATCH ") :].split("=", 1)
        for line in text.splitlines()
        if line.startswith("#SBATCH ")
    )
    assert directives == {
        "--job-name": "nightly",
        "--nodes": "3",
        "--ntasks": "3",
        "--ntasks-per-node": "1",
        "--output": "slurm-%j.out",
    }
    assert "cluster-env --from slurm --mode search --port 12345" in text


def test_every_option_the_export_writes_is_one_train_takes():
    from automl_gui.core.cluster._train_args import OPTIONS

    train = build_parser()._subparsers._group_actions[0].choices["train"]
    flags = {flag for action in train._actions for flag in action.option_strings}
    assert {option for _, _, option in OPTIONS} <= flags
