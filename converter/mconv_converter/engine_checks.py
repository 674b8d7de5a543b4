"""Checks on a built engine: accuracy against ONNX Runtime, then latency."""

from .accuracy import compare_outputs, require_passed
from .backends import BuildRequest, Runner
from .backends.onnx_backend import OnnxRuntimeRunner
from .benchmark import measure
from .options import RunOptions
from .sample_data import generate_feeds, load_samples

WARMUP_ITERATIONS = 10


def validation_feeds(options: RunOptions, request: BuildRequest) -> list[tuple[int, dict]]:
    """Return (profile index, inputs) pairs: the user's samples, or the min, opt and max shapes of every profile."""
    if options.sample_inputs is not None:
        return [load_samples(options.sample_inputs, request.inputs, request.profiles)]
    cases = []
    for index, profile in enumerate(request.profiles):
        for point in ("min", "opt", "max"):
            cases.append((index, generate_feeds(request.inputs, profile, point)))
    return cases


def validate(options: RunOptions, request: BuildRequest, runner: Runner) -> dict:
    reference = OnnxRuntimeRunner(request.onnx_path)
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


def benchmark(options: RunOptions, request: BuildRequest, runner: Runner) -> dict:
    if options.benchmark_iterations == 0:
        return {"iterations": 0}
    feeds = generate_feeds(request.inputs, request.profiles[0], "opt")
    first_shape = next(iter(feeds.values())).shape
    batch_size = first_shape[0] if first_shape else 1
    call = runner.timed_call(feeds, 0)
    warmup = min(WARMUP_ITERATIONS, options.benchmark_iterations)
    return measure(call, options.benchmark_iterations, warmup, batch_size)
