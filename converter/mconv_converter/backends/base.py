"""The interface between the conversion steps and one engine builder."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import InvalidInputError
from ..onnx_model import TensorInfo
from ..shapes import Profile


@dataclass
class BuildRequest:
    """The checked ONNX model and the build options that apply to it."""

    onnx_path: Path
    inputs: list[TensorInfo]
    profiles: list[Profile]
    outputs: list[TensorInfo] = field(default_factory=list)
    precision: str = "fp32"
    workspace_mib: int | None = None
    builder_flags: list[str] = field(default_factory=list)
    calibration: dict[str, np.ndarray] | None = None


class Runner(ABC):
    """A loaded engine that runs inference on NumPy arrays."""

    @abstractmethod
    def infer(self, feeds: dict[str, np.ndarray], profile_index: int = 0) -> dict[str, np.ndarray]:
        """Run once and return the outputs by name."""

    def timed_call(self, feeds: dict[str, np.ndarray], profile_index: int = 0) -> Callable[[], None]:
        """Return a call that runs one inference, for benchmarking.

        Backends whose inputs live on a device override this so that the
        timing leaves out host-device copies.
        """
        return lambda: self.infer(feeds, profile_index)


class Backend(ABC):
    """Builds an engine file from ONNX for the device this process runs on."""

    name: str = ""
    artifact_name: str = ""
    precisions: tuple[str, ...] = ("fp32",)

    def check_request(self, request: BuildRequest) -> None:
        """Reject options this backend cannot honour, before any slow step."""
        if request.precision not in self.precisions:
            raise InvalidInputError(
                f"--precision {request.precision} is not supported by --backend {self.name}; "
                f"choose one of {', '.join(self.precisions)}"
            )
        if request.builder_flags:
            raise InvalidInputError(f"--builder-flag applies only to --backend tensorrt, not {self.name}")

    @abstractmethod
    def device_info(self) -> dict:
        """Describe the device and library versions; raise InfrastructureError when the device is missing."""

    @abstractmethod
    def build(self, request: BuildRequest, artifact_path: Path) -> dict:
        """Write the engine to `artifact_path`; return backend-specific details for metadata.json."""

    @abstractmethod
    def load(self, artifact_path: Path, request: BuildRequest) -> Runner:
        """Load a built engine for validation and benchmarking."""
