"""``kubernetes-job.yaml`` (an Indexed Job with a headless Service) and ``tfjob.yaml`` (a
Kubeflow TFJob) for an exported job, and the small YAML writer they use.

The Indexed Job runs one pod per process; Kubernetes names them ``<job>-<index>`` and gives
each ``JOB_COMPLETION_INDEX``; with the headless Service as their subdomain they reach each
other as ``<job>-<index>.<service>``, which ``automl-gui cluster-env --from kubernetes``
turns into ``TF_CONFIG`` or the ``KERASTUNER_*`` variables. A TFJob's operator sets
``TF_CONFIG`` itself (a search's pods turn it into Keras Tuner's variables with
``cluster-env --from tf-config``). Both mount the job folder at ``/job`` from a
PersistentVolumeClaim named ``<job>-files``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from automl_gui.core.cluster._launch_common import CONTAINER_JOB_DIR, JobPlan
from automl_gui.core.cluster._launch_slurm import task_script
from automl_gui.core.cluster.environment import KUBE_JOB, KUBE_PODS, KUBE_SERVICE

#: the label that ties the pods to their Service
JOB_LABEL = "automl-gui/job"
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")


def claim_name(plan: JobPlan) -> str:
    """The PersistentVolumeClaim that holds the job folder."""
    return f"{plan.name}-files"


def _volume(plan: JobPlan) -> tuple[dict[str, Any], dict[str, Any]]:
    mount = {"name": "job", "mountPath": CONTAINER_JOB_DIR}
    volume = {"name": "job", "persistentVolumeClaim": {"claimName": claim_name(plan)}}
    return mount, volume


def _task_command(plan: JobPlan, source: str) -> list[str]:
    return ["bash", "-c", task_script(plan, source) + "\n", "task"]


def kubernetes_job(plan: JobPlan) -> str:
    """The Service and the Indexed Job, as one YAML file of two documents."""
    labels = {JOB_LABEL: plan.name}
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": plan.name, "labels": labels},
        "spec": {
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
            "selector": labels,
            "ports": [{"name": "cluster", "port": plan.port, "targetPort": plan.port}],
        },
    }
    mount, volume = _volume(plan)
    container = {
        "name": "automl-gui",
        "image": plan.image,
        "workingDir": CONTAINER_JOB_DIR,
        "command": _task_command(plan, "kubernetes"),
        "env": [
            {"name": "AUTOML_GUI", "value": "automl-gui"},
            {"name": KUBE_PODS, "value": str(plan.size)},
            {"name": KUBE_JOB, "value": plan.name},
            {"name": KUBE_SERVICE, "value": plan.name},
        ],
        "ports": [{"name": "cluster", "containerPort": plan.port}],
        "volumeMounts": [mount],
    }
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": plan.name, "labels": labels},
        "spec": {
            "completionMode": "Indexed",
            "completions": plan.size,
            "parallelism": plan.size,
            "backoffLimit": 0,
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "subdomain": plan.name,
                    "restartPolicy": "Never",
                    "containers": [container],
                    "volumes": [volume],
                },
            },
        },
    }
    head = _header(
        plan,
        "kubectl apply -f kubernetes-job.yaml",
        [
            f"An Indexed Job of {plan.size} pods ({plan.what()}) and the headless Service that",
            f"gives them stable names ({plan.name}-0.{plan.name}, {plan.name}-1.{plan.name}, ...).",
            "Each pod builds its variables from its JOB_COMPLETION_INDEX with",
            f"'automl-gui {plan.cluster_env('kubernetes')}'; pod 0 writes output/run.",
        ],
    )
    return head + to_yaml(service) + "---\n" + to_yaml(job)


def tfjob(plan: JobPlan) -> str:
    """A Kubeflow TFJob (``kubeflow.org/v1``): Worker replicas for a training (worker 0
    writes the run); a Chief and Worker replicas for a search."""
    mount, volume = _volume(plan)

    def replica(count: int) -> dict[str, Any]:
        container: dict[str, Any] = {
            "name": "tensorflow",
            "image": plan.image,
            "workingDir": CONTAINER_JOB_DIR,
        }
        if plan.mode == "search":
            container["command"] = _task_command(plan, "tf-config")
            container["env"] = [{"name": "AUTOML_GUI", "value": "automl-gui"}]
        else:
            container["command"] = list(plan.command)
        container["ports"] = [{"name": "tfjob-port", "containerPort": plan.port}]
        container["volumeMounts"] = [mount]
        return {
            "replicas": count,
            "restartPolicy": "Never",
            "template": {"spec": {"containers": [container], "volumes": [volume]}},
        }

    specs = (
        {"Chief": replica(1), "Worker": replica(plan.size - 1)}
        if plan.mode == "search"
        else {"Worker": replica(plan.size)}
    )
    doc = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "TFJob",
        "metadata": {"name": plan.name, "labels": {JOB_LABEL: plan.name}},
        "spec": {"runPolicy": {"backoffLimit": 0}, "tfReplicaSpecs": specs},
    }
    head = _header(
        plan,
        "kubectl apply -f tfjob.yaml",
        [
            f"A Kubeflow TFJob ({plan.what()}): the training operator sets TF_CONFIG in each pod.",
            "Needs the Kubeflow training operator installed in the cluster.",
        ],
    )
    return head + to_yaml(doc)


def _header(plan: JobPlan, apply: str, about: list[str]) -> str:
    lines = [
        f"# automl-gui job '{plan.name}'.",
        *about,
        f"# The job folder must be in the PersistentVolumeClaim '{claim_name(plan)}' (mounted",
        f"# at {CONTAINER_JOB_DIR}), and the image '{plan.image}' must hold automl-gui (the",
        "# project's Dockerfile builds one). GPUs: add 'resources: {limits: {nvidia.com/gpu: 1}}'",
        "# to the container. Start it with:",
        f"#     {apply}",
        "# To continue a job that stopped, add --resume to the command and apply it again.",
    ]
    return "\n".join(line if line.startswith("#") else f"# {line}" for line in lines) + "\n"


def to_yaml(obj: Any, indent: int = 0) -> str:
    """``obj`` (dicts, lists, str, int, float, bool, None) as block-style YAML: strings
    double-quoted as JSON writes them, or as literal blocks when they span lines."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return pad + "{}\n"
        out = []
        for key, value in obj.items():
            name = key if _PLAIN_KEY.match(str(key)) else json.dumps(str(key))
            out.append(_entry(f"{pad}{name}:", value, indent))
        return "".join(out)
    if isinstance(obj, list):
        if not obj:
            return pad + "[]\n"
        out = []
        for value in obj:
            if isinstance(value, dict) and value:
                body = to_yaml(value, indent + 2)
                out.append(f"{pad}- {body[indent + 2 :]}")
            else:
                out.append(_entry(f"{pad}-", value, indent))
        return "".join(out)
    return pad + _scalar(obj, indent) + "\n"


def _entry(prefix: str, value: Any, indent: int) -> str:
    if isinstance(value, (dict, list)) and value:
        return f"{prefix}\n" + to_yaml(value, indent + 2)
    if isinstance(value, (dict, list)):
        return f"{prefix} {'{}' if isinstance(value, dict) else '[]'}\n"
    return f"{prefix} {_scalar(value, indent + 2)}\n"


def _scalar(value: Any, indent: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    lines = text.split("\n")
    literal = (
        "\n" in text.rstrip("\n")
        and not text.startswith((" ", "\t"))
        and not text.endswith("\n\n")
        and all(line == line.rstrip() and "\t" not in line for line in lines)
    )
    if not literal:
        return json.dumps(text)
    pad = " " * (indent + 2)
    chomp = "|" if text.endswith("\n") else "|-"
    body = text[:-1] if chomp == "|" else text
    return chomp + "\n" + "\n".join(pad + line if line else "" for line in body.split("\n"))
