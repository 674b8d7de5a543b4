"""Errors that end a command, each with the exit code that the Job reports.

mconv's Job uses a podFailurePolicy that fails the Job at once on the
deterministic codes (10 to 13) and retries on the others. A new error kind
therefore picks its code by whether a retry on another node could succeed.
"""

SUCCESS = 0
INTERNAL_ERROR = 1
INVALID_INPUT = 10
UNSUPPORTED_MODEL = 11
ACCURACY_FAILURE = 12
INPUT_TIMEOUT = 13
INFRASTRUCTURE_FAULT = 20
INTERRUPTED = 130
TERMINATED = 143


class ConverterError(Exception):
    """Base of the errors that the command boundary turns into an exit code."""

    exit_code = INTERNAL_ERROR
    code = "internal-error"


class InvalidInputError(ConverterError):
    """The model, its hash or an option is wrong; a retry fails the same way."""

    exit_code = INVALID_INPUT
    code = "invalid-input"


class UnsupportedModelError(ConverterError):
    """The model is valid but the exporter or the backend cannot convert it."""

    exit_code = UNSUPPORTED_MODEL
    code = "unsupported-model"


class AccuracyError(ConverterError):
    """The engine's outputs differ from ONNX Runtime's beyond the tolerance."""

    exit_code = ACCURACY_FAILURE
    code = "accuracy"


class InputTimeoutError(ConverterError):
    """The uploaded model did not appear in time."""

    exit_code = INPUT_TIMEOUT
    code = "input-timeout"


class InfrastructureError(ConverterError):
    """The node failed: no GPU visible, a CUDA or driver error, out of memory."""

    exit_code = INFRASTRUCTURE_FAULT
    code = "infrastructure"
