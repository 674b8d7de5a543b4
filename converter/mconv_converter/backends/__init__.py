"""Engine builders: one module per backend, found by name in BACKENDS.

To add another vendor's compiler, write a subclass of base.Backend in its own
module and add it to BACKENDS. Import the vendor's library inside the methods,
so that the other backends work where it is not installed.
"""

import difflib

from ..errors import InvalidInputError
from .base import Backend, BuildRequest, Runner
from .onnx_backend import OnnxBackend
from .openvino_backend import OpenVinoBackend
from .tensorrt_backend import TensorRtBackend

BACKENDS: dict[str, type[Backend]] = {
    OnnxBackend.name: OnnxBackend,
    OpenVinoBackend.name: OpenVinoBackend,
    TensorRtBackend.name: TensorRtBackend,
}


def get_backend(name: str) -> Backend:
    if name not in BACKENDS:
        close = difflib.get_close_matches(name, list(BACKENDS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise InvalidInputError(f"--backend '{name}' is unknown{hint}; choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name]()


__all__ = ["BACKENDS", "Backend", "BuildRequest", "Runner", "get_backend"]
