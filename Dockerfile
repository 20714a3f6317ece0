# The headless engine: `automl-gui train | predict | evaluate | explain | export | info |
# cluster-env` in a container, for the Kubernetes Job and Kubeflow TFJob files an exported
# training job holds (docs/CLUSTER.md). The command line imports no Qt, so the image has no
# display libraries (only `automl-gui study`'s PNG charts need them; the window is not for
# containers).
#
#   docker build -t automl-gui:latest .                          (from the project folder)
#   docker build --build-arg EXTRAS=text -t automl-gui:text .     (+ KerasHub text models)
#   docker run --rm -v "$PWD/my-job:/job" automl-gui:latest train data/table.csv --out output/run
#
# NVIDIA GPUs: add `RUN pip install "tensorflow[and-cuda]"` (CUDA from pip) and run with the
# NVIDIA container toolkit (`docker run --gpus all`; Kubernetes: the device plugin and an
# `nvidia.com/gpu` limit on the container).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# optional extras of pyproject.toml, comma separated (e.g. "text")
ARG EXTRAS=""

WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE ./
COPY automl_gui ./automl_gui
COPY resources ./resources
RUN pip install ".${EXTRAS:+[$EXTRAS]}" \
    && cd / && rm -rf /src \
    && automl-gui cluster-env --help > /dev/null

# an exported job's folder is mounted here (kubernetes-job.yaml, tfjob.yaml)
WORKDIR /job
ENTRYPOINT ["automl-gui"]
CMD ["--help"]
