"""The ONNX backend: the checked ONNX model itself, run with ONNX Runtime on CPU."""

import shutil
from pathlib import Path

import numpy as np

from ..cpu_info import cpu_model_name
from ..errors import UnsupportedModelError
from .base import Backend, BuildRequest, Runner


class OnnxRuntimeRunner(Runner):
    def __init__(self, model_path: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:
            raise UnsupportedModelError(f"ONNX Runtime cannot load '{model_path}': {error}") from error
        self._output_names = [output.name for output in self._session.get_outputs()]

    def infer(self, feeds: dict[str, np.ndarray], profile_index: int = 0) -> dict[str, np.ndarray]:
        try:
            results = self._session.run(self._output_names, feeds)
        except Exception as error:
            shapes = ", ".join(f"{name}={'x'.join(map(str, array.shape))}" for name, array in feeds.items())
            raise UnsupportedModelError(f"ONNX Runtime failed on inputs of shape {shapes}: {error}; check --shape") from error
        return dict(zip(self._output_names, results))


class OnnxBackend(Backend):
    name = "onnx"
    artifact_name = "model.onnx"

    def device_info(self) -> dict:
        import onnxruntime

        return {"device": cpu_model_name(), "versions": {"onnxruntime": onnxruntime.__version__}}

    def build(self, request: BuildRequest, artifact_path: Path) -> dict:
        # The checked model is the engine, so building is a copy.
        shutil.copyfile(request.onnx_path, artifact_path)
        return {}

    def load(self, artifact_path: Path, request: BuildRequest) -> Runner:
        return OnnxRuntimeRunner(artifact_path)
