import pytest

from batcher import BatchState


def test_initial_and_str_give_the_canonical_text():
    assert str(BatchState.initial(42)) == "seed=42,batch=0"
    assert str(BatchState(-7, 17)) == "seed=-7,batch=17"
    assert BatchState.initial(42).next() == BatchState(42, 1)


@pytest.mark.parametrize("text, expected", [
    ("seed=42,batch=17", BatchState(42, 17)),
    ("  seed=-1,batch=0\n", BatchState(-1, 0)),           # trimmed as Java's String.trim()
    ("seed=+5,batch=007", BatchState(5, 7)),              # Long.parseLong accepts a sign and zeros
    ("seed=9223372036854775807,batch=1", BatchState(2 ** 63 - 1, 1)),
])
def test_parse_reads_what_java_reads(text, expected):
    assert BatchState.parse(text) == expected
    assert BatchState.parse(str(expected)) == expected


@pytest.mark.parametrize("text", [
    "", "seed=1", "batch=1,seed=2", "seed=1,batch=-1", "seed=1, batch=2", "seed=1_0,batch=2",
    "seed=9223372036854775808,batch=0", "seed=1,batch=2,x=3", "seed= 1,batch=2",
])
def test_parse_rejects_other_text_quoting_it(text):
    with pytest.raises(ValueError) as e:
        BatchState.parse(text)
    assert f"'{text}'" in str(e.value) or "batch: -1" in str(e.value)


def test_constructor_checks_values():
    with pytest.raises(ValueError, match=r"batch: -1 \(expected: >= 0\)"):
        BatchState(1, -1)
    with pytest.raises(TypeError):
        BatchState(1.5, 2)  # type: ignore[arg-type]
