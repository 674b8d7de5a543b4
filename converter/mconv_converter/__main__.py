"""Entry point: run one subcommand and turn its outcome into an exit code."""

import json
import signal
import sys
import traceback
from pathlib import Path

from . import staging
from .cli import build_parser, run_options
from .conversion import run_conversion
from .errors import INFRASTRUCTURE_FAULT, INTERNAL_ERROR, INTERRUPTED, TERMINATED, ConverterError, InvalidInputError
from .metadata import METADATA_NAME
from .options import check_sha256
from .progress import Progress


class Terminated(Exception):
    """SIGTERM arrived, as when Kubernetes deletes the pod."""


def raise_terminated(signal_number, frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    # `send` owns stdout for the file's bytes, so its messages go to stderr.
    progress = Progress(sys.stderr if is_send(argv) else sys.stdout)
    # Raising on SIGTERM lets the finally blocks remove partial files and the scratch folder.
    signal.signal(signal.SIGTERM, raise_terminated)
    try:
        arguments = build_parser().parse_args(argv)
        return dispatch(arguments, progress)
    except ConverterError as error:
        progress.error(error.code, str(error), error.exit_code)
        return error.exit_code
    except MemoryError:
        progress.error("infrastructure", "out of host memory; give the pod a higher memory limit", INFRASTRUCTURE_FAULT)
        return INFRASTRUCTURE_FAULT
    except KeyboardInterrupt:
        progress.error("interrupted", "interrupted", INTERRUPTED)
        return INTERRUPTED
    except Terminated:
        progress.error("terminated", "terminated by SIGTERM", TERMINATED)
        return TERMINATED
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        progress.error("internal-error", f"unexpected {type(error).__name__}: {error}", INTERNAL_ERROR)
        return INTERNAL_ERROR


def is_send(argv: list[str] | None) -> bool:
    arguments = sys.argv[1:] if argv is None else argv
    return bool(arguments) and arguments[0] == "send"


def dispatch(arguments, progress: Progress) -> int:
    if arguments.command == "run":
        run_conversion(run_options(arguments), progress)
    elif arguments.command == "receive":
        check_sha256(arguments.sha256, "--sha256")
        size = staging.receive(arguments.dest, arguments.sha256, arguments.size, staging.binary_stdin())
        progress.log(f"received {size} bytes into '{arguments.dest}'")
    elif arguments.command == "send":
        staging.send(arguments.path, staging.binary_stdout())
    elif arguments.command == "ack":
        marker = staging.acknowledge(arguments.output_dir)
        progress.log(f"marked '{marker.parent}' as downloaded")
    elif arguments.command == "serve":
        serve_outputs(arguments.output_dir, arguments.wait_download_seconds, progress)
    elif arguments.command == "inspect":
        print(json.dumps(inspect_model(arguments.path), indent=2))
    return 0


def serve_outputs(output_dir: Path, wait_seconds: float, progress: Progress) -> None:
    """Wait for a new download of outputs that an earlier `run` wrote."""
    output_dir = staging.require_inside_staging(output_dir, "--output-dir")
    if not (output_dir / METADATA_NAME).is_file():
        raise InvalidInputError(f"'{output_dir}' contains no {METADATA_NAME}: the conversion never finished, so there is nothing to download")
    # The marker of an earlier download would end the wait at once.
    (output_dir / staging.DOWNLOADED_MARKER).unlink(missing_ok=True)
    with progress.stage("waiting-download", f"waiting up to {wait_seconds:g} s for the download"):
        downloaded = staging.wait_for_download(output_dir, wait_seconds)
    if not downloaded:
        progress.log("no download acknowledged before --wait-download ran out")


def inspect_model(path: Path) -> dict:
    """Describe an ONNX model's inputs and outputs without running code from the file."""
    from .formats import detect_format
    from .onnx_model import check_model, graph_inputs, graph_outputs

    model_format = detect_format(path)
    description: dict = {"format": model_format}
    if model_format == "onnx":
        model = check_model(path)
        description["inputs"] = [info.as_dict() for info in graph_inputs(model)]
        description["outputs"] = [info.as_dict() for info in graph_outputs(model)]
    return description


def main_exit() -> None:
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
