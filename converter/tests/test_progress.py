"""Progress lines: one MCONV-EVENT line of compact JSON per event."""

import io
import json

import pytest

from mconv_converter.progress import EVENT_PREFIX, Progress


def test_event_is_one_compact_line():
    stream = io.StringIO()
    Progress(stream).event("stage", stage="building")

    assert stream.getvalue() == 'MCONV-EVENT {"event":"stage","stage":"building"}\n'


def test_error_writes_log_and_event():
    stream = io.StringIO()
    Progress(stream).error("invalid-input", "bad 'x'\nsecond line", 10)

    lines = stream.getvalue().splitlines()
    event_lines = [line for line in lines if line.startswith(EVENT_PREFIX)]
    assert lines[0] == "mconv-converter: error: bad 'x'"
    assert len(event_lines) == 1
    assert json.loads(event_lines[0][len(EVENT_PREFIX):]) == {
        "event": "error", "code": "invalid-input", "message": "bad 'x'\nsecond line", "exitCode": 10,
    }


def test_stage_records_timing():
    progress = Progress(io.StringIO())
    with progress.stage("checking"):
        pass

    assert progress.timings["checking"] >= 0


def test_unknown_stage_rejected():
    with pytest.raises(ValueError, match="unknown stage 'compiling'"):
        with Progress(io.StringIO()).stage("compiling"):
            pass
