"""Command-line parsing for mconv-converter; no conversion logic lives here."""

import argparse
from pathlib import Path

from .backends import BACKENDS
from .errors import InvalidInputError
from .formats import FORMATS
from .options import PRECISIONS, RunOptions
from .staging import DEFAULT_STAGING_ROOT


class ArgumentParser(argparse.ArgumentParser):
    """Raises InvalidInputError on a bad argument, so it exits with code 10, not argparse's 2."""

    def error(self, message: str):
        raise InvalidInputError(f"{message}; run '{self.prog} --help' for usage")


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="mconv-converter",
        description="Convert a model into an inference engine inside an mconv conversion Job.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    add_run_parser(commands)
    add_receive_parser(commands)
    add_send_parser(commands)
    add_ack_parser(commands)
    add_serve_parser(commands)
    add_inspect_parser(commands)
    return parser


def add_run_parser(commands) -> None:
    run = commands.add_parser("run", help="wait for the model, build the engine, validate and benchmark it")
    add_staging_options(run)
    add_shape_options(run)
    add_build_options(run)
    add_validation_options(run)


def add_staging_options(run) -> None:
    run.add_argument("--input", type=Path, required=True, help="model path in the staging volume, such as /staging/in/model.pt")
    run.add_argument("--sha256", required=True, help="expected SHA-256 of the input, 64 hex digits")
    run.add_argument("--output-dir", type=Path, default=Path(DEFAULT_STAGING_ROOT) / "out", help="folder for the engine and metadata.json (default: %(default)s)")
    run.add_argument("--wait-input", dest="wait_input_seconds", type=float, default=600.0, metavar="SECONDS", help="how long to wait for the upload (default: %(default)s)")
    run.add_argument("--wait-download", dest="wait_download_seconds", type=float, default=0.0, metavar="SECONDS", help="how long to stay up after success until `ack` (default: %(default)s)")


def add_shape_options(run) -> None:
    # --shape and --profile share one list, so their order on the command line is kept.
    run.add_argument(
        "--shape",
        dest="shape_tokens",
        action="append",
        default=[],
        metavar="NAME=DIMS|NAME=MIN:OPT:MAX",
        help="input shape such as input=1x3x224x224, or a range such as input=1x3x224x224:8x3x224x224:32x3x224x224; repeatable",
    )
    run.add_argument(
        "--profile",
        dest="shape_tokens",
        action="append_const",
        const=None,
        help="start a new optimization profile; the --shape options after it belong to it",
    )


def add_build_options(run) -> None:
    run.add_argument("--backend", required=True, choices=list(BACKENDS), help="engine builder")
    run.add_argument("--format", default="auto", choices=["auto", *FORMATS], help="input format; auto detects it from the contents (default)")
    run.add_argument("--precision", default="fp32", choices=PRECISIONS, help="engine precision (default: fp32)")
    run.add_argument("--calibration-dir", type=Path, metavar="DIR", help="folder of <input>.npy files, samples stacked on axis 0; required for int8")
    run.add_argument("--workspace", dest="workspace_mib", type=int, metavar="MIB", help="TensorRT workspace limit in MiB")
    run.add_argument("--builder-flag", dest="builder_flags", action="append", default=[], metavar="NAME", help="TensorRT builder flag from the allow-list; repeatable")
    run.add_argument("--expect-compute-capability", metavar="MAJOR.MINOR", help="fail with exit code 20 when the GPU has another compute capability")


def add_validation_options(run) -> None:
    run.add_argument("--tolerance-abs", type=float, metavar="X", help="allowed absolute error against ONNX Runtime (default by precision)")
    run.add_argument("--tolerance-rel", type=float, metavar="X", help="allowed relative error against ONNX Runtime (default by precision)")
    run.add_argument("--sample-inputs", type=Path, metavar="DIR", help="folder of <input>.npy files to validate with instead of random inputs")
    run.add_argument("--benchmark-iterations", type=int, default=100, metavar="N", help="timed inferences; 0 skips benchmarking (default: %(default)s)")


def add_receive_parser(commands) -> None:
    receive = commands.add_parser("receive", help="store stdin at --dest after checking its SHA-256")
    receive.add_argument("--dest", type=Path, required=True, help="target path in the staging volume")
    receive.add_argument("--sha256", required=True, help="expected SHA-256 of the data, 64 hex digits")
    receive.add_argument("--size", type=int, help="expected size in bytes, to report a cut-short upload as such")


def add_send_parser(commands) -> None:
    send = commands.add_parser("send", help="write a file to stdout and nothing else")
    send.add_argument("--path", type=Path, required=True, help="file to send, such as /staging/out/engine.plan")


def add_serve_parser(commands) -> None:
    serve = commands.add_parser("serve", help="keep the pod up so that finished outputs can be downloaded again, until `ack`")
    serve.add_argument("--output-dir", type=Path, default=Path(DEFAULT_STAGING_ROOT) / "out", help="the folder `run` wrote to (default: %(default)s)")
    serve.add_argument("--wait-download", dest="wait_download_seconds", type=float, default=900.0, metavar="SECONDS", help="how long to wait for `ack` (default: %(default)s)")


def add_ack_parser(commands) -> None:
    ack = commands.add_parser("ack", help="mark the outputs as downloaded so that `run` exits")
    ack.add_argument("--output-dir", type=Path, default=Path(DEFAULT_STAGING_ROOT) / "out", help="the folder `run` writes to (default: %(default)s)")


def add_inspect_parser(commands) -> None:
    inspect = commands.add_parser("inspect", help="print a model's format, inputs and outputs as JSON")
    inspect.add_argument("path", type=Path, help="model file")


def run_options(arguments: argparse.Namespace) -> RunOptions:
    values = vars(arguments).copy()
    values.pop("command")
    return RunOptions(**values)
