"""`akhbar soak --keep DIR`: a failed run's worker logs and pytest output stay for its post-mortem, a passed run's
go (bench/soak.py runs each scenario as a pytest process of its own)."""
from __future__ import annotations

from bench import soak


def _scenario(tmp_path, monkeypatch, passes: bool) -> str:
    test = tmp_path / "test_scenario.py"
    test.write_text(f"""
def test_it(tmp_path):
    (tmp_path / "worker-0.log").write_text("the worker's last words")
    assert {passes}, "lost 3"
""")
    monkeypatch.setitem(soak.SCENARIOS, "toy", str(test))
    return "toy"


def test_a_failed_run_keeps_its_worker_logs_and_output(tmp_path, monkeypatch):
    keep = tmp_path / "kept"
    keep.mkdir()
    passed, _, _, tail = soak.run_once(_scenario(tmp_path, monkeypatch, False), {}, 120, keep)
    assert not passed
    (run,) = keep.iterdir()
    assert str(run) in tail
    assert "lost 3" in (run / "pytest.out").read_text()
    assert [p.read_text() for p in run.rglob("worker-0.log")] == ["the worker's last words"]


def test_a_passed_run_leaves_nothing_behind(tmp_path, monkeypatch):
    keep = tmp_path / "kept"
    keep.mkdir()
    passed, _, _, _ = soak.run_once(_scenario(tmp_path, monkeypatch, True), {}, 120, keep)
    assert passed and not any(keep.iterdir())
