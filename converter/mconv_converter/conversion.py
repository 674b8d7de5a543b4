"""`mconv-converter run`: the steps of one conversion, from upload to engine."""

import tempfile
from pathlib import Path

from . import staging
from .accuracy import compare_outputs, require_passed
from .backends import Backend, BuildRequest, get_backend
from .backends.onnx_backend import OnnxRuntimeRunner
from .benchmark import measure
from .errors import InfrastructureError, InvalidInputError
from .fileio import sha256_file
from .formats import resolve_format
from .metadata import build_metadata, write_metadata
from .onnx_model import check_model, graph_inputs, graph_outputs, resolve_profiles
from .options import RunOptions
from .progress import Progress
from .sample_data import generate_feeds, load_calibration, load_samples
from .torch_export import exported_program_to_onnx, torchscript_to_onnx

WARMUP_ITERATIONS = 10


def run_conversion(options: RunOptions, progress: Progress) -> dict:
    """Convert options.input and write the engine and metadata.json; return the metadata."""
    options.validate()
    backend = get_backend(options.backend)
    backend.check_request(options_only_request(options))
    output_dir = staging.require_inside_staging(options.output_dir, "--output-dir")
    output_dir.mkdir(parents=True, exist_ok=True)

    device = backend.device_info()
    check_compute_capability(device, options.expect_compute_capability)
    progress.log(f"device: {device['device']}")

    with tempfile.TemporaryDirectory(prefix="mconv-") as scratch:
        metadata = convert(options, backend, device, output_dir, Path(scratch), progress)

    wait_for_download(options, output_dir, progress)
    with progress.stage("done"):
        progress.log("conversion finished")
    return metadata


def convert(options: RunOptions, backend: Backend, device: dict, output_dir: Path, scratch: Path, progress: Progress) -> dict:
    with progress.stage("waiting-input", f"waiting up to {options.wait_input_seconds:g} s for '{options.input}'"):
        staging.wait_for_input(options.input, options.wait_input_seconds)

    with progress.stage("verifying", "checking the SHA-256 and format of the input"):
        input_sha256 = verify_input(options.input, options.sha256)
        model_format = resolve_format(options.input, options.format)
    progress.log(f"input format: {model_format}")

    onnx_path = options.input
    if model_format != "onnx":
        with progress.stage("exporting", f"exporting {model_format} to ONNX"):
            onnx_path = export_to_onnx(options, model_format, scratch)

    with progress.stage("checking", "checking the ONNX model and input shapes"):
        request = prepare_request(options, onnx_path, scratch, progress)
        backend.check_request(request)

    partial_path = output_dir / f".{backend.artifact_name}.partial"
    try:
        results = build_and_measure(options, backend, request, partial_path, progress)
        with progress.stage("writing", f"writing the engine and metadata to '{output_dir}'"):
            engine_path = output_dir / backend.artifact_name
            partial_path.replace(engine_path)
            source = {"path": str(options.input), "sha256": input_sha256, "format": model_format}
            metadata = describe_run(options, backend, device, request, source, engine_path, results, progress)
            metadata_path = write_metadata(output_dir, metadata)
    finally:
        partial_path.unlink(missing_ok=True)

    accuracy = {key: results["accuracy"][key] for key in ("maxAbsError", "maxRelError")}
    files = [file_entry(engine_path), file_entry(metadata_path)]
    progress.event("result", files=files, accuracy=accuracy, latencyMs=results["performance"].get("latencyMs"))
    return metadata


def describe_run(options, backend, device, request, source: dict, engine_path: Path, results: dict, progress: Progress) -> dict:
    return build_metadata(
        input=source,
        output=file_entry(engine_path),
        backend={"name": backend.name, **results["build"]},
        device=device,
        options=options.as_metadata(),
        inputs=[tensor_metadata(info) for info in request.inputs],
        outputs=[tensor_metadata(info) for info in graph_outputs(check_model(request.onnx_path))],
        accuracy=results["accuracy"],
        performance=results["performance"],
        timingsSeconds=dict(progress.timings),
    )


def build_and_measure(options: RunOptions, backend: Backend, request: BuildRequest, engine_path: Path, progress: Progress) -> dict:
    """Build the engine at `engine_path`, then check and time it; return the details for metadata.json."""
    with progress.stage("building", f"building with {backend.name} at {options.precision}"):
        build_details = backend.build(request, engine_path)

    with progress.stage("validating", "comparing the engine's outputs with ONNX Runtime's"):
        runner = backend.load(engine_path, request)
        accuracy = validate(options, request, runner, request.onnx_path)

    with progress.stage("benchmarking", f"timing {options.benchmark_iterations} inferences"):
        performance = benchmark(options, request, runner)
    return {"build": build_details, "accuracy": accuracy, "performance": performance}


def options_only_request(options: RunOptions) -> BuildRequest:
    """Build a request from the options alone, to reject bad options before waiting for the input."""
    return BuildRequest(
        onnx_path=Path(),
        inputs=[],
        profiles=list(options.profiles),
        precision=options.precision,
        workspace_mib=options.workspace_mib,
        builder_flags=list(options.builder_flags),
        calibration={} if options.calibration_dir is not None else None,
    )


def verify_input(path: Path, expected_sha256: str) -> str:
    actual = sha256_file(path)
    if actual != expected_sha256.lower():
        raise InvalidInputError(
            f"input '{path}' has SHA-256 {actual} but --sha256 is {expected_sha256}; upload the model again"
        )
    return actual


def export_to_onnx(options: RunOptions, model_format: str, scratch: Path) -> Path:
    onnx_path = scratch / "model.onnx"
    if model_format == "torchscript":
        torchscript_to_onnx(options.input, options.profiles, onnx_path)
    else:
        exported_program_to_onnx(options.input, onnx_path)
    return onnx_path


def prepare_request(options: RunOptions, onnx_path: Path, scratch: Path, progress: Progress) -> BuildRequest:
    model = check_model(onnx_path)
    inputs = graph_inputs(model)
    profiles, notes = resolve_profiles(inputs, options.profiles)
    for note in notes:
        progress.log(note)

    calibration = None
    if options.calibration_dir is not None:
        calibration = load_calibration(options.calibration_dir, inputs, profiles[0])
    return BuildRequest(
        onnx_path=onnx_path,
        inputs=inputs,
        profiles=profiles,
        precision=options.precision,
        workspace_mib=options.workspace_mib,
        builder_flags=list(options.builder_flags),
        calibration=calibration,
        scratch_dir=scratch,
    )


def validation_feeds(options: RunOptions, request: BuildRequest) -> list[tuple[int, dict]]:
    """Return (profile index, inputs) pairs: the user's samples, or the min, opt and max shapes of every profile."""
    if options.sample_inputs is not None:
        return [load_samples(options.sample_inputs, request.inputs, request.profiles)]
    cases = []
    for index, profile in enumerate(request.profiles):
        for point in ("min", "opt", "max"):
            cases.append((index, generate_feeds(request.inputs, profile, point)))
    return cases


def validate(options: RunOptions, request: BuildRequest, runner, onnx_path: Path) -> dict:
    reference = OnnxRuntimeRunner(onnx_path)
    tolerance_abs, tolerance_rel = options.tolerances
    reports = []
    for profile_index, feeds in validation_feeds(options, request):
        expected = reference.infer(feeds)
        reports.append(compare_outputs(expected, runner.infer(feeds, profile_index), tolerance_abs, tolerance_rel))
    worst = {
        "maxAbsError": max(report["maxAbsError"] for report in reports),
        "maxRelError": max(report["maxRelError"] for report in reports),
        "passed": all(report["passed"] for report in reports),
        "cases": len(reports),
        "toleranceAbs": tolerance_abs,
        "toleranceRel": tolerance_rel,
        "outputs": merge_outputs(reports),
    }
    require_passed(worst, tolerance_abs, tolerance_rel)
    return worst


def merge_outputs(reports: list[dict]) -> dict:
    merged: dict = {}
    for report in reports:
        for name, entry in report["outputs"].items():
            current = merged.setdefault(name, {"maxAbsError": 0.0, "maxRelError": 0.0, "passed": True})
            current["maxAbsError"] = max(current["maxAbsError"], entry["maxAbsError"])
            current["maxRelError"] = max(current["maxRelError"], entry["maxRelError"])
            current["passed"] = current["passed"] and entry["passed"]
    return merged


def benchmark(options: RunOptions, request: BuildRequest, runner) -> dict:
    if options.benchmark_iterations == 0:
        return {"iterations": 0}
    feeds = generate_feeds(request.inputs, request.profiles[0], "opt")
    first_shape = next(iter(feeds.values())).shape
    batch_size = first_shape[0] if first_shape else 1
    call = runner.timed_call(feeds, 0)
    warmup = min(WARMUP_ITERATIONS, options.benchmark_iterations)
    return measure(call, options.benchmark_iterations, warmup, batch_size)


def wait_for_download(options: RunOptions, output_dir: Path, progress: Progress) -> None:
    if options.wait_download_seconds <= 0:
        return
    with progress.stage("waiting-download", f"waiting up to {options.wait_download_seconds:g} s for the download"):
        downloaded = staging.wait_for_download(output_dir, options.wait_download_seconds)
    if not downloaded:
        progress.log("no download acknowledged before --wait-download ran out; the outputs stay in the staging volume")


def check_compute_capability(device: dict, expected: str | None) -> None:
    if expected is None or device.get("computeCapability") == expected:
        return
    raise InfrastructureError(
        f"the pod runs on {device['device']} with compute capability {device.get('computeCapability')}, "
        f"but --expect-compute-capability is {expected}; the node labels select the wrong GPU"
    )


def tensor_metadata(info) -> dict:
    return {"name": info.name, "dims": list(info.dims), "dtype": str(info.dtype)}


def file_entry(path: Path) -> dict:
    return {"name": path.name, "sha256": sha256_file(path), "size": path.stat().st_size}
