"""`mconv-converter run`: the steps of one conversion, from upload to engine."""

import tempfile
from pathlib import Path

from . import staging
from .backends import Backend, BuildRequest, get_backend
from .engine_checks import benchmark, validate
from .errors import InfrastructureError, InvalidInputError
from .fileio import sha256_file
from .formats import resolve_format
from .metadata import build_metadata, write_metadata
from .onnx_model import check_model, graph_inputs, graph_outputs, resolve_profiles
from .options import RunOptions
from .progress import Progress
from .sample_data import load_calibration
from .torch_export import exported_program_to_onnx, torchscript_to_onnx

FORMAT_NAMES = {"torchscript": "TorchScript module", "export": "torch.export program"}


def run_conversion(options: RunOptions, progress: Progress) -> dict:
    """Convert options.input and write the engine and metadata.json; return the metadata."""
    options.validate()
    backend = get_backend(options.backend)
    backend.check_request(options_only_request(options))
    output_dir = staging.require_inside_staging(options.output_dir, "--output-dir")
    output_dir.mkdir(parents=True, exist_ok=True)
    # A marker left by an earlier attempt of this Job would end the download wait at once.
    (output_dir / staging.DOWNLOADED_MARKER).unlink(missing_ok=True)

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
        with progress.stage("exporting", f"exporting the {FORMAT_NAMES[model_format]} to ONNX"):
            onnx_path = export_to_onnx(options, model_format, scratch)

    with progress.stage("checking", "checking the ONNX model and input shapes"):
        request = prepare_request(options, onnx_path, progress)
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
        inputs=[info.as_dict() for info in request.inputs],
        outputs=[info.as_dict() for info in request.outputs],
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
        accuracy = validate(options, request, runner)

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


def prepare_request(options: RunOptions, onnx_path: Path, progress: Progress) -> BuildRequest:
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
        outputs=graph_outputs(model),
        profiles=profiles,
        precision=options.precision,
        workspace_mib=options.workspace_mib,
        builder_flags=list(options.builder_flags),
        calibration=calibration,
    )


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


def file_entry(path: Path) -> dict:
    return {"name": path.name, "sha256": sha256_file(path), "size": path.stat().st_size}
