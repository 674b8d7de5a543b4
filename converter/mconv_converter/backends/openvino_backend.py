"""The OpenVINO backend: a model compiled for this node's CPU, exported as a blob.

`CompiledModel.export_model()` writes the CPU plugin's compiled form, which
`Core.import_model()` loads with the same OpenVINO version. The import must
pass the same properties (recorded in metadata.json under "compileConfig"),
because the blob does not keep the precision hint: checked with OpenVINO
2026.4.1, where an import without it ran in bf16 on a CPU with BF16 support.
"""

import io
from pathlib import Path

import numpy as np

from ..cpu_info import cpu_model_name
from ..errors import InfrastructureError, UnsupportedModelError
from ..fileio import write_bytes_atomic
from ..shapes import Profile
from .base import Backend, BuildRequest, Runner

DEVICE = "CPU"

# "best" leaves the choice to the plugin, which picks bf16 where the CPU supports it.
PRECISION_CONFIG = {
    "fp32": {"INFERENCE_PRECISION_HINT": "f32"},
    "fp16": {"INFERENCE_PRECISION_HINT": "f16"},
    "best": {},
}


class OpenVinoRunner(Runner):
    def __init__(self, compiled) -> None:
        self._request = compiled.create_infer_request()
        self._outputs = compiled.outputs

    def infer(self, feeds: dict[str, np.ndarray], profile_index: int = 0) -> dict[str, np.ndarray]:
        results = self._request.infer(feeds)
        return {output.get_any_name(): np.array(results[output]) for output in self._outputs}


class OpenVinoBackend(Backend):
    name = "openvino"
    artifact_name = "model.blob"
    precisions = tuple(PRECISION_CONFIG)

    def device_info(self) -> dict:
        import openvino

        core = openvino.Core()
        if DEVICE not in core.available_devices:
            raise InfrastructureError(f"OpenVINO sees no {DEVICE} device (found {core.available_devices})")
        return {
            "device": core.get_property(DEVICE, "FULL_DEVICE_NAME") or cpu_model_name(),
            "capabilities": list(core.get_property(DEVICE, "OPTIMIZATION_CAPABILITIES")),
            "versions": {"openvino": openvino.get_version()},
        }

    def build(self, request: BuildRequest, artifact_path: Path) -> dict:
        import openvino

        core = openvino.Core()
        try:
            model = core.read_model(str(request.onnx_path))
            model.reshape(partial_shapes(openvino, request.profiles))
            compiled = core.compile_model(model, DEVICE, PRECISION_CONFIG[request.precision])
        except RuntimeError as error:
            raise UnsupportedModelError(f"OpenVINO could not compile the model for {DEVICE}: {error}") from error
        write_bytes_atomic(artifact_path, compiled.export_model().getvalue())
        return {
            "compileConfig": PRECISION_CONFIG[request.precision],
            "inferencePrecision": compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name(),
        }

    def load(self, artifact_path: Path, request: BuildRequest) -> Runner:
        import openvino

        core = openvino.Core()
        blob = io.BytesIO(artifact_path.read_bytes())
        compiled = core.import_model(blob, DEVICE, PRECISION_CONFIG[request.precision])
        return OpenVinoRunner(compiled)


def partial_shapes(openvino, profiles: list[Profile]) -> dict:
    """Cover every profile with one range per dimension: OpenVINO has no profiles."""
    shapes = {}
    for name in profiles[0]:
        low = [min(profile[name].min[i] for profile in profiles) for i in range(len(profiles[0][name].min))]
        high = [max(profile[name].max[i] for profile in profiles) for i in range(len(profiles[0][name].max))]
        dims = [openvino.Dimension(a) if a == b else openvino.Dimension(a, b) for a, b in zip(low, high)]
        shapes[name] = openvino.PartialShape(dims)
    return shapes
