"""``Failure.describe()``: what a user reads of a failed batcher, without the daemon's class names."""

from batcher.status import Failure


def test_describe_with_message_reads_as_message_and_code_without_class_name() -> None:
    f = Failure("dev.batcher.materializers.iteration.IterationException", "batchDuration: 45.0 s (expected: <= 30.0 s)",
                "at x", "manager", "seed=1,batch=3", "recording r1, file a.h5", 5)
    assert f.describe() == ("batchDuration: 45.0 s (expected: <= 30.0 s) [code=failed, worker=manager, "
                            "state=seed=1,batch=3, batch=recording r1, file a.h5, attempts=5]")
    assert "IterationException" not in f.describe()


def test_describe_empty_message_falls_back_to_class_name() -> None:
    f = Failure("java.lang.NullPointerException", "", "", "w1", "seed=0,batch=0", "(not iterated)", 1)
    assert f.describe().startswith("java.lang.NullPointerException [code=failed, worker=w1,")
