"""Compare an engine's outputs with ONNX Runtime's."""

import numpy as np

from .errors import AccuracyError

# Default (absolute, relative) tolerances per precision. An element passes
# when |engine - reference| <= abs + rel * |reference|, as in numpy.allclose.
DEFAULT_TOLERANCES = {
    "fp32": (1e-4, 1e-3),
    "fp16": (1e-2, 1e-2),
    "best": (5e-2, 5e-2),
    "int8": (1e-1, 1e-1),
}


def compare_outputs(reference: dict[str, np.ndarray], actual: dict[str, np.ndarray], tolerance_abs: float, tolerance_rel: float) -> dict:
    """Return the max absolute and relative error per output and overall, and whether all passed."""
    outputs = {}
    for name, expected in reference.items():
        if name not in actual:
            raise AccuracyError(f"the engine did not produce output '{name}'")
        outputs[name] = compare_one(name, expected, actual[name], tolerance_abs, tolerance_rel)
    return {
        "maxAbsError": max((entry["maxAbsError"] for entry in outputs.values()), default=0.0),
        "maxRelError": max((entry["maxRelError"] for entry in outputs.values()), default=0.0),
        "passed": all(entry["passed"] for entry in outputs.values()),
        "outputs": outputs,
    }


def compare_one(name: str, expected: np.ndarray, got: np.ndarray, tolerance_abs: float, tolerance_rel: float) -> dict:
    if expected.shape != got.shape:
        raise AccuracyError(f"output '{name}' has shape {got.shape} but ONNX Runtime returned {expected.shape}")
    expected64 = expected.astype(np.float64)
    difference = np.abs(got.astype(np.float64) - expected64)
    relative = difference / np.maximum(np.abs(expected64), np.finfo(np.float32).tiny)
    passed = bool(np.all(difference <= tolerance_abs + tolerance_rel * np.abs(expected64)))
    return {
        "maxAbsError": float(difference.max(initial=0.0)),
        "maxRelError": float(relative.max(initial=0.0)),
        "passed": passed,
    }


def require_passed(report: dict, tolerance_abs: float, tolerance_rel: float) -> None:
    if report["passed"]:
        return
    failed = [name for name, entry in report["outputs"].items() if not entry["passed"]]
    raise AccuracyError(
        f"output(s) {', '.join(failed)} differ from ONNX Runtime beyond --tolerance-abs {tolerance_abs:g} "
        f"and --tolerance-rel {tolerance_rel:g} (max absolute error {report['maxAbsError']:.3g}, "
        f"max relative error {report['maxRelError']:.3g}); use a higher precision or raise the tolerances"
    )
