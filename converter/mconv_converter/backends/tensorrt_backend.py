"""The TensorRT backend: an engine plan built on, and for, the GPU it runs on.

Device memory comes from PyTorch's CUDA allocator, which the GPU image already
has for exporting TorchScript, so no other CUDA binding is needed.
"""

import ctypes
from pathlib import Path

import numpy as np

from ..errors import InfrastructureError, UnsupportedModelError
from ..fileio import write_bytes_atomic
from .base import Backend, BuildRequest, Runner
from .tensorrt_config import apply_settings, builder_settings


def import_gpu_libraries():
    try:
        import tensorrt
        import torch
    except ImportError as error:
        raise InfrastructureError(
            f"the TensorRT backend needs tensorrt and torch, but importing them failed ({error}); "
            "run it in the TensorRT converter image"
        ) from error
    if not torch.cuda.is_available():
        raise InfrastructureError(
            "no CUDA device is visible; check the pod's nvidia.com/gpu request and the node's NVIDIA device plugin"
        )
    return tensorrt, torch


def is_cuda_failure(error: BaseException) -> bool:
    text = str(error)
    return "CUDA" in text or "out of memory" in text.lower()


class TensorRtRunner(Runner):
    def __init__(self, trt, torch, engine) -> None:
        self._trt = trt
        self._torch = torch
        self._engine = engine
        self._context = engine.create_execution_context()
        self._stream = torch.cuda.Stream()
        names = [engine.get_tensor_name(index) for index in range(engine.num_io_tensors)]
        self._inputs = [name for name in names if engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT]
        self._outputs = [name for name in names if name not in self._inputs]

    def infer(self, feeds: dict[str, np.ndarray], profile_index: int = 0) -> dict[str, np.ndarray]:
        outputs = self._bind(feeds, profile_index)
        self._execute()
        return {name: tensor.cpu().numpy() for name, tensor in outputs.items()}

    def timed_call(self, feeds: dict[str, np.ndarray], profile_index: int = 0):
        self._bind(feeds, profile_index)
        return self._execute

    def _bind(self, feeds: dict[str, np.ndarray], profile_index: int) -> dict:
        torch = self._torch
        self._context.set_optimization_profile_async(profile_index, self._stream.cuda_stream)
        self._buffers = []
        for name in self._inputs:
            tensor = torch.from_numpy(np.ascontiguousarray(feeds[name])).cuda()
            self._context.set_input_shape(name, tuple(tensor.shape))
            self._context.set_tensor_address(name, tensor.data_ptr())
            self._buffers.append(tensor)
        outputs = {}
        for name in self._outputs:
            shape = tuple(self._context.get_tensor_shape(name))
            dtype = torch.from_numpy(np.empty(0, self._trt.nptype(self._engine.get_tensor_dtype(name)))).dtype
            outputs[name] = torch.empty(shape, dtype=dtype, device="cuda")
            self._context.set_tensor_address(name, outputs[name].data_ptr())
        return outputs

    def _execute(self) -> None:
        if not self._context.execute_async_v3(self._stream.cuda_stream):
            raise InfrastructureError("TensorRT execute_async_v3 failed; see the TensorRT log lines above")
        self._stream.synchronize()


class TensorRtBackend(Backend):
    name = "tensorrt"
    artifact_name = "engine.plan"
    precisions = ("fp32", "fp16", "int8", "best")

    def check_request(self, request: BuildRequest) -> None:
        builder_settings(
            request.precision,
            request.workspace_mib,
            request.builder_flags,
            request.profiles,
            request.calibration is not None,
        )

    def device_info(self) -> dict:
        trt, torch = import_gpu_libraries()
        major, minor = torch.cuda.get_device_capability(0)
        return {
            "device": torch.cuda.get_device_name(0),
            "computeCapability": f"{major}.{minor}",
            "versions": {
                "tensorrt": trt.__version__,
                "cudaRuntime": torch.version.cuda,
                "cudaDriver": cuda_driver_version(),
                "nvidiaDriver": nvidia_driver_version(),
            },
        }

    def build(self, request: BuildRequest, artifact_path: Path) -> dict:
        trt, torch = import_gpu_libraries()
        major, _ = torch.cuda.get_device_capability(0)
        settings = builder_settings(
            request.precision,
            request.workspace_mib,
            request.builder_flags,
            request.profiles,
            request.calibration is not None,
            bf16_supported=major >= 8,
        )
        logger = trt.Logger(trt.Logger.WARNING)
        builder = trt.Builder(logger)
        network = builder.create_network(0)
        parse_onnx(trt, network, logger, request.onnx_path)

        config = builder.create_builder_config()
        calibrator = make_calibrator(trt, torch, request.calibration) if settings.int8_calibration else None
        apply_settings(settings, trt, builder, config, calibrator)
        try:
            plan = builder.build_serialized_network(network, config)
        except RuntimeError as error:
            if is_cuda_failure(error):
                raise InfrastructureError(f"TensorRT build failed on the GPU: {error}") from error
            raise
        if plan is None:
            raise UnsupportedModelError("TensorRT could not build an engine for this model; see the TensorRT log lines above")
        write_bytes_atomic(artifact_path, bytes(plan))
        return {"builderFlagsSet": list(settings.set_flags), "builderFlagsCleared": list(settings.clear_flags), "workspaceBytes": settings.workspace_bytes}

    def load(self, artifact_path: Path, request: BuildRequest) -> Runner:
        trt, torch = import_gpu_libraries()
        runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
        engine = runtime.deserialize_cuda_engine(artifact_path.read_bytes())
        if engine is None:
            raise InfrastructureError(f"TensorRT could not load the engine it just built from '{artifact_path}'")
        return TensorRtRunner(trt, torch, engine)


def parse_onnx(trt, network, logger, onnx_path: Path) -> None:
    parser = trt.OnnxParser(network, logger)
    if parser.parse_from_file(str(onnx_path)):
        return
    errors = "; ".join(str(parser.get_error(index)) for index in range(parser.num_errors))
    raise UnsupportedModelError(f"TensorRT's ONNX parser rejected the model: {errors}")


def make_calibrator(trt, torch, arrays: dict[str, np.ndarray]):
    """Feed --calibration-dir samples one at a time to TensorRT's entropy calibrator."""
    base = getattr(trt, "IInt8EntropyCalibrator2", None)
    if base is None:
        raise UnsupportedModelError(
            f"TensorRT {trt.__version__} has no int8 calibrator; quantize the model with Q/DQ nodes and use --precision best"
        )

    class EntropyCalibrator(base):
        def __init__(self) -> None:
            base.__init__(self)
            self._index = 0
            self._count = len(next(iter(arrays.values())))
            self._held = []

        def get_batch_size(self) -> int:
            return 1

        def get_batch(self, names):
            if self._index >= self._count:
                return None
            self._held = [torch.from_numpy(np.ascontiguousarray(arrays[name][self._index])).cuda() for name in names]
            self._index += 1
            return [tensor.data_ptr() for tensor in self._held]

        def read_calibration_cache(self):
            return None

        def write_calibration_cache(self, cache) -> None:
            return None

    return EntropyCalibrator()


def cuda_driver_version() -> str | None:
    """Return the CUDA version the driver supports, such as "13.0", from libcuda."""
    try:
        library = ctypes.CDLL("libcuda.so.1")
        version = ctypes.c_int()
        if library.cuDriverGetVersion(ctypes.byref(version)) != 0:
            return None
    except OSError:
        return None
    return f"{version.value // 1000}.{version.value % 1000 // 10}"


def nvidia_driver_version() -> str | None:
    """Return the kernel driver's version, such as "580.65.06", from NVML."""
    try:
        library = ctypes.CDLL("libnvidia-ml.so.1")
        if library.nvmlInit_v2() != 0:
            return None
        buffer = ctypes.create_string_buffer(96)
        status = library.nvmlSystemGetDriverVersion(buffer, ctypes.c_uint(len(buffer)))
        library.nvmlShutdown()
    except OSError:
        return None
    return buffer.value.decode() if status == 0 else None
