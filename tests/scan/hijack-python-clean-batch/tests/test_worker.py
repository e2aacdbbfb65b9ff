"""Tests patch globals on purpose; they never run in the deployed function."""
import builtins
import io
import socket
import subprocess
from unittest import mock

import worker


def test_cpu_count_reads_cpuinfo(monkeypatch):
    fake = io.StringIO("processor : 0\nprocessor : 1\n")
    monkeypatch.setattr(builtins, "open", lambda *a, **k: fake)
    assert worker.cpu_count() == 2


def test_no_network():
    socket.socket = mock.MagicMock()
    builtins.open = mock.mock_open(read_data="processor : 0\n")
    assert worker.cpu_count() == 1


def test_compress_waits():
    with mock.patch.object(subprocess, "run") as run:
        run.return_value.returncode = 0
        assert worker.compress("/tmp/batch/rows.csv") == 0
