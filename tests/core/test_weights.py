"""Pretrained weights: lookup order, checksums, download from a local server, and a legacy
HDF5 ``*_notop.h5`` file (saved here from a ``weights=None`` backbone) loading into the model.

Never touches the internet: downloads come from an ``http.server`` on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import socket
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from automl_gui.core.base.errors import CancelledError, ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, Log, Progress
from automl_gui.core.models import weights
from automl_gui.core.models.weights import (
    WeightsMissingError,
    WeightsSpec,
    download_weights,
    find_weights,
    manifest,
    resolve_weights,
    search_folders,
)

FILE = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
PAYLOAD = np.random.default_rng(0).integers(0, 256, 600_000, dtype=np.uint8).tobytes()
SLOW_SIZE = 2 * 2**20


def spec_for(data: bytes, algorithm: str = "md5", url: str = "http://127.0.0.1:1/x") -> WeightsSpec:
    return WeightsSpec(
        architecture="resnet50",
        file_name=FILE,
        url=url,
        hash=hashlib.new(algorithm, data).hexdigest(),
        hash_algorithm=algorithm,
        size_bytes=len(data),
    )


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Configured folder, models/pretrained and the Keras cache, all in tmp_path."""
    out = {
        "configured": tmp_path / "configured",
        "pretrained": tmp_path / "pretrained",
        "cache": tmp_path / "keras_home" / "models",
    }
    out["configured"].mkdir()
    out["pretrained"].mkdir()
    monkeypatch.setattr(weights, "PRETRAINED_DIR", out["pretrained"])
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(weights.ENV_FOLDER, raising=False)
    return out


# -- manifest and folders ---------------------------------------------------------------------
def test_manifest_uses_the_md5_keras_checks_while_sha256_is_unknown() -> None:
    from keras.src.applications import inception_v3, resnet

    specs = manifest()
    assert set(specs) == {"resnet50", "inceptionv3", "pretrained"}  # + the text model's preset
    assert specs["pretrained"].folder and not specs["resnet50"].folder
    r, i = specs["resnet50"], specs["inceptionv3"]
    assert r.file_name == FILE
    assert r.hash_algorithm == i.hash_algorithm == "md5"
    assert r.hash == resnet.WEIGHTS_HASHES["resnet50"][1]
    assert r.url == resnet.BASE_WEIGHTS_PATH + FILE
    assert i.url == inception_v3.WEIGHTS_PATH_NO_TOP
    assert i.hash == "bcbd6486424b2319ff4ef7d526e38f63"
    assert r.size_bytes and i.size_bytes


def test_manifest_prefers_sha256_when_present(tmp_path: Path) -> None:
    data = json.loads(weights.MANIFEST_PATH.read_text(encoding="utf-8"))
    data["weights"][0]["sha256"] = "AB" * 32
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    spec = manifest(path)["resnet50"]
    assert (spec.hash_algorithm, spec.hash) == ("sha256", "ab" * 32)


def test_damaged_manifest_and_unknown_architecture(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="manifest"):
        manifest(bad)
    with pytest.raises(ConfigError, match="cnn"):
        find_weights("cnn")


def test_search_folders_order(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert search_folders() == [places["pretrained"], places["cache"]]
    monkeypatch.setenv(weights.ENV_FOLDER, str(places["configured"]))
    assert search_folders() == [places["configured"], places["pretrained"], places["cache"]]
    other = places["configured"].parent / "other"
    assert search_folders(str(other))[0] == other  # the configured folder beats the variable
    monkeypatch.delenv("KERAS_HOME")
    assert search_folders()[-1] == Path.home() / ".keras" / "models"


# -- lookup -----------------------------------------------------------------------------------
def test_lookup_order_configured_then_pretrained_then_cache(places: dict[str, Path]) -> None:
    spec = spec_for(PAYLOAD)
    configured = str(places["configured"])
    assert find_weights("resnet50", configured, spec=spec) is None
    places["cache"].mkdir(parents=True)
    for key in ("configured", "pretrained", "cache"):
        (places[key] / FILE).write_bytes(PAYLOAD)
    for key in ("configured", "pretrained", "cache"):
        found = find_weights("resnet50", configured, spec=spec)
        assert found == places[key] / FILE
        assert resolve_weights("resnet50", configured=configured, spec=spec) == found
        found.unlink()
    assert find_weights("resnet50", configured, spec=spec) is None


def test_wrong_checksum_is_skipped_with_a_warning(places: dict[str, Path]) -> None:
    spec = spec_for(PAYLOAD)
    (places["configured"] / FILE).write_bytes(PAYLOAD[:-1] + b"\x00")
    events: list = []
    assert (
        find_weights("resnet50", str(places["configured"]), spec=spec, on_event=events.append)
        is None
    )
    warnings = [e for e in events if isinstance(e, Log) and e.level == "warning"]
    assert len(warnings) == 1 and str(places["configured"] / FILE) in warnings[0].message
    assert "checksum" in warnings[0].message
    (places["pretrained"] / FILE).write_bytes(PAYLOAD)
    found = find_weights("resnet50", str(places["configured"]), spec=spec)
    assert found == places["pretrained"] / FILE


def test_checksum_is_computed_once_per_file_version(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = spec_for(PAYLOAD, "sha256")
    path = places["pretrained"] / FILE
    path.write_bytes(PAYLOAD)
    calls = []
    real_new = hashlib.new

    def counting_new(name: str, *args: object) -> object:
        calls.append(name)
        return real_new(name, *args)

    monkeypatch.setattr(weights.hashlib, "new", counting_new)
    for _ in range(3):
        assert find_weights("resnet50", spec=spec) == path
    assert calls == ["sha256"]
    path.write_bytes(PAYLOAD[::-1])  # same size, new content and mtime: verified again
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert find_weights("resnet50", spec=spec) is None
    assert calls == ["sha256", "sha256"]


def test_users_file_is_used_as_is_and_must_exist(places: dict[str, Path]) -> None:
    own = places["configured"] / "my_weights.h5"
    own.write_bytes(b"anything")
    assert resolve_weights("resnet50", weights_path=str(own)) == own
    with pytest.raises(ModelError, match="not found") as info:
        resolve_weights("resnet50", weights_path=str(places["configured"] / "missing.h5"))
    assert not isinstance(info.value, WeightsMissingError)


def test_missing_without_download_names_file_and_folders(places: dict[str, Path]) -> None:
    spec = spec_for(PAYLOAD)
    configured = str(places["configured"])
    with pytest.raises(WeightsMissingError) as info:
        resolve_weights("resnet50", configured=configured, allow_download=False, spec=spec)
    err = info.value
    assert FILE in err.message
    assert spec.url in err.hint
    for key in ("configured", "pretrained", "cache"):
        assert str(places[key]) in err.hint
    assert err.folders == [places["configured"], places["pretrained"], places["cache"]]
    assert err.destination == places["cache"] and err.spec == spec


# -- download from a local server -------------------------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/good":
            self._send(PAYLOAD)
        elif self.path == "/slow":
            self._send(b"\x01" * SLOW_SIZE, pause=0.01)
        elif self.path == "/short":  # promises more than it sends
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD) + 1000))
            self.end_headers()
            self.wfile.write(PAYLOAD)
            self.close_connection = True
        else:
            self.send_error(404, "Not Found")

    def _send(self, data: bytes, pause: float = 0.0) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        step = 64 * 1024
        try:
            for start in range(0, len(data), step):
                self.wfile.write(data[start : start + step])
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_verifies_caches_and_reports_progress(
    places: dict[str, Path], server: str
) -> None:
    spec = spec_for(PAYLOAD)
    events: list = []
    path = resolve_weights("resnet50", url=f"{server}/good", spec=spec, on_event=events.append)
    assert path == places["cache"] / FILE  # the Keras cache, created on the way
    assert path.read_bytes() == PAYLOAD
    assert leftovers(places["cache"]) == [FILE]  # no temporary file left
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress and all(e.stage == "download" for e in progress)
    fractions = [e.fraction for e in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert re.fullmatch(r"Downloading ResNet50 weights… 0\.6 / 0\.6 MB", progress[-1].message)
    # next time it is found in the cache, without downloading
    events.clear()
    assert (
        resolve_weights("resnet50", url=f"{server}/missing", spec=spec, on_event=events.append)
        == path
    )
    assert not [e for e in events if isinstance(e, Progress)]


def test_progress_is_throttled_and_cancel_removes_the_partial_file(
    places: dict[str, Path], server: str
) -> None:
    data = b"\x01" * SLOW_SIZE
    spec = spec_for(data)
    events: list = []
    start = time.monotonic()
    download_weights("resnet50", url=f"{server}/slow", spec=spec, on_event=events.append)
    elapsed = time.monotonic() - start
    progress = [e for e in events if isinstance(e, Progress)]
    assert 0 < len(progress) <= 10 * elapsed + 2
    (places["cache"] / FILE).unlink()

    token = CancelToken()

    def cancel_midway(event: object) -> None:
        if isinstance(event, Progress) and event.fraction and 0 < event.fraction < 1:
            token.cancel()

    with pytest.raises(CancelledError):
        download_weights(
            "resnet50", url=f"{server}/slow", spec=spec, on_event=cancel_midway, cancel=token
        )
    assert leftovers(places["cache"]) == []


def test_http_error_names_file_url_and_folders(places: dict[str, Path], server: str) -> None:
    spec = spec_for(PAYLOAD)
    url = f"{server}/nothing-here.h5"
    with pytest.raises(WeightsMissingError) as info:
        resolve_weights("resnet50", configured=str(places["configured"]), url=url, spec=spec)
    err = info.value
    assert FILE in err.message and url in err.message and "404" in err.message
    assert str(places["configured"]) in err.hint and str(places["cache"]) in err.hint
    assert leftovers(places["cache"]) == []


def test_wrong_checksum_after_download_removes_the_file(
    places: dict[str, Path], server: str
) -> None:
    spec = spec_for(PAYLOAD[::-1])
    with pytest.raises(WeightsMissingError, match="checksum"):
        download_weights("resnet50", url=f"{server}/good", spec=spec)
    assert leftovers(places["cache"]) == []


def test_incomplete_download_and_offline(places: dict[str, Path], server: str) -> None:
    spec = WeightsSpec("resnet50", FILE, "http://127.0.0.1:1/x", hash=None)
    with pytest.raises(WeightsMissingError, match=FILE):
        download_weights("resnet50", url=f"{server}/short", spec=spec, timeout=5)
    assert leftovers(places["cache"]) == []
    with socket.socket() as s:  # a port nobody listens on: connection refused, as offline
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/{FILE}"
    with pytest.raises(WeightsMissingError) as info:
        download_weights("resnet50", url=url, spec=spec, timeout=5)
    assert url in info.value.message and FILE in info.value.hint
    assert leftovers(places["cache"]) == []


# -- a real legacy HDF5 notop file through resolve_weights → build_image_model ----------------
def save_legacy_notop(backbone: object, path: Path) -> None:
    """Write ``backbone``'s weights as keras-applications' ``*_notop.h5`` files are written
    (legacy Keras HDF5: ``layer_names`` + one group per layer; no top-level weights group)."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Keras's np.array(copy=False)
        legacy_h5_format.save_weights_to_hdf5_group(f, backbone)
        del f["top_level_model_weights"]
        f.attrs["keras_version"] = b"2.2.4"


@pytest.fixture(scope="module")
def resnet_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    import keras

    backbone = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3))
    folder = tmp_path_factory.mktemp("weights")
    path = folder / FILE
    save_legacy_notop(backbone, path)
    saved = {
        "conv1_conv": backbone.get_layer("conv1_conv").get_weights()[0],
        "conv5_block3_3_bn": backbone.get_layer("conv5_block3_3_bn").get_weights()[3],
    }
    return path, saved


def test_legacy_notop_file_loads_through_lookup_into_the_model(
    places: dict[str, Path], resnet_file: tuple[Path, dict[str, np.ndarray]]
) -> None:
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.models.images import build_image_model
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    source, saved = resnet_file
    digest = hashlib.md5(source.read_bytes()).hexdigest()
    spec = WeightsSpec("resnet50", FILE, "http://127.0.0.1:1/x", digest, "md5")
    os.link(source, places["pretrained"] / FILE)
    path = resolve_weights("resnet50", spec=spec, allow_download=False)
    assert path == places["pretrained"] / FILE
    built = build_image_model(
        "resnet50", 3, 32, ImagePreprocessConfig(), ImageModelConfig(), weights_file=str(path)
    )
    np.testing.assert_array_equal(
        built.backbone.get_layer("conv1_conv").get_weights()[0], saved["conv1_conv"]
    )
    np.testing.assert_array_equal(
        built.backbone.get_layer("conv5_block3_3_bn").get_weights()[3], saved["conv5_block3_3_bn"]
    )
    # the same layers are inside the full model
    assert built.model.get_layer("resnet50") is built.backbone


def test_weights_that_do_not_fit_say_which_network_they_are_for(
    tmp_path: Path, resnet_file: tuple[Path, dict[str, np.ndarray]]
) -> None:
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.models.images import build_image_model
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    source, _ = resnet_file
    with pytest.raises(ModelError) as info:
        build_image_model(
            "inceptionv3",
            2,
            75,
            ImagePreprocessConfig(),
            ImageModelConfig(),
            weights_file=str(source),
        )
    assert FILE in info.value.message and "ResNet50" in info.value.message
    assert "InceptionV3" in info.value.message + info.value.hint
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"this is no HDF5 file")
    with pytest.raises(ModelError, match="junk.h5"):
        build_image_model(
            "resnet50", 2, 32, ImagePreprocessConfig(), ImageModelConfig(), weights_file=str(junk)
        )
