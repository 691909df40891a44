"""Robustness: reentrancy, threads, tracebacks, staleness, long loops, deep recursion."""

import importlib.util
import logging
import math
import sys
import threading
import traceback
from pathlib import Path

import numpy as np
import pytest

import s2sad


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def looped(x, n):
    for _ in range(n):
        if x > 0.5:
            x = np.sin(x) * 0.9 + 0.1 * x * x
        else:
            x = x * 1.01 + 0.01
    return x


def matrix_loss(W, v):
    h = v
    for _ in range(3):
        h = np.tanh(W @ h)
    return np.sum(h ** 2)


def test_two_threads_differentiating_at_once_get_correct_results():
    rng = np.random.default_rng(0)
    inputs = [(rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4)) for _ in range(8)]
    expected = [s2sad.grad(matrix_loss)(W, v) for W, v in inputs]
    results: dict[int, list] = {}
    errors = []

    def work(k: int) -> None:
        try:
            out = []
            for _ in range(30):
                for W, v in inputs:
                    out.append(s2sad.grad(matrix_loss)(W, v))
            results[k] = out
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for out in results.values():
        for i, g in enumerate(out):
            np.testing.assert_allclose(g, expected[i % len(inputs)], rtol=1e-12)


def test_reentrant_gradient_inside_gradient_call():
    # a gradient computed while another one's tape is alive does not disturb it
    def outer_value(x):
        return looped(x, 20)

    g1 = s2sad.grad(looped)(0.7, 20)
    inner = s2sad.grad(outer_value)(0.7)
    assert g1 == pytest.approx(inner)


def test_long_scalar_loop_succeeds_and_matches_finite_differences():
    g = s2sad.grad(looped)(0.7, 100_000)
    assert math.isfinite(g)
    assert s2sad.check_grad(looped, 0.7, 2000) == pytest.approx(
        s2sad.numerical_gradient(looped, [0.7, 2000], 0), rel=1e-4)


def log_of(x):
    y = x * 2.0
    return math.log(y)


def test_runtime_exception_points_at_user_line():
    with pytest.raises(ValueError) as info:
        s2sad.grad(log_of)(-1.0)
    frames = traceback.extract_tb(info.value.__traceback__)
    ours = [f for f in frames if f.filename == __file__]
    assert any(f.line.strip() == "return math.log(y)" for f in ours), frames


def recurse(u, n):
    return 1.0 if n == 0 else u * recurse(u, n - 1)


def deep(u):
    return recurse(u, 3000)


def test_deep_recursion_is_a_clear_error_not_a_crash():
    with pytest.raises(s2sad.S2sadError) as info:
        s2sad.grad(deep)(1.0)
    assert "recursion" in str(info.value)
    assert "hint:" in str(info.value)


def deeper_than_derivatives_go(x, k):  # the function runs at k = 600; its derivatives do not
    if k == 0:
        return x
    return deeper_than_derivatives_go(x, k - 1) * 0.999 + 0.001 * x


@pytest.mark.parametrize("transform", [
    lambda: s2sad.vjp(deeper_than_derivatives_go, 0.5, 600),
    lambda: s2sad.jvp(deeper_than_derivatives_go, (0.5, 600), (1.0, None)),
    lambda: s2sad.linearize(deeper_than_derivatives_go, 0.5, 600)[1](1.0, None),
    lambda: s2sad.jacobian(deeper_than_derivatives_go, mode="forward")(0.5, 600),
    lambda: s2sad.hvp(deeper_than_derivatives_go)(0.5, 600, 1.0),
    lambda: s2sad.grad(s2sad.grad(deeper_than_derivatives_go))(0.5, 600),
])
def test_every_transform_reports_deep_recursion_as_an_s2sad_error(transform):
    assert deeper_than_derivatives_go(0.5, 600) == pytest.approx(0.5)
    with pytest.raises(s2sad.S2sadError, match="recursed too deeply") as info:
        transform()
    assert "setrecursionlimit" in str(info.value)


def test_moderate_recursion_works():
    def power8(u):
        return recurse(u, 8)

    assert s2sad.grad(power8)(1.1) == pytest.approx(8 * 1.1 ** 7)


def test_redefining_a_function_in_the_same_file_gives_fresh_code(tmp_path: Path):
    # notebook style: the same cell (file) is rewritten and run again
    path = tmp_path / "cell.py"
    path.write_text("def f(x):\n    return x ** 2\n")
    first = load(path, "cell_a")
    assert s2sad.grad(first.f)(3.0) == pytest.approx(6.0)
    path.write_text("def f(x):\n    return x ** 3\n")
    import linecache

    linecache.checkcache(str(path))
    second = load(path, "cell_b")
    assert s2sad.grad(second.f)(3.0) == pytest.approx(27.0)
    assert s2sad.grad(first.f)(3.0) == pytest.approx(6.0)


def make_scaled(c):
    def scaled(x):
        return c * x ** 2
    return scaled


def test_closures_from_one_factory_do_not_share_a_gradient():
    assert s2sad.grad(make_scaled(2.0))(1.0) == pytest.approx(4.0)
    assert s2sad.grad(make_scaled(3.0))(1.0) == pytest.approx(6.0)


def test_changing_a_closure_value_is_seen():
    c = 2.0

    def scaled(x):
        return c * x ** 2

    grad = s2sad.grad(scaled)
    assert grad(1.0) == pytest.approx(4.0)
    c = 5.0
    assert grad(1.0) == pytest.approx(10.0)


def test_rebinding_a_module_alias_recompiles(tmp_path: Path):
    path = tmp_path / "aliasmod.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sin(x)\n")
    module = load(path, "aliasmod")
    assert s2sad.grad(module.f)(0.3) == pytest.approx(math.cos(0.3))

    class FakeNumpy:
        @staticmethod
        def sin(x):
            return np.cos(x)

    module.np = FakeNumpy()
    # the cached gradient of np.sin must not be reused: f now computes cos(x)
    assert s2sad.grad(module.f)(0.3) == pytest.approx(-math.sin(0.3))


def test_one_gradient_function_sees_rebinding_and_new_code(tmp_path: Path):
    path = tmp_path / "keptmod.py"
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.sin(x)\n")
    module = load(path, "keptmod")
    other = tmp_path / "othermod.py"
    other.write_text("def f(x):\n    return x * x\n")
    square = load(other, "othermod").f
    df = s2sad.grad(module.f)  # kept, as a training loop would keep it
    assert df(0.3) == pytest.approx(math.cos(0.3))
    assert df(0.3) == pytest.approx(math.cos(0.3))  # (from its own cache)

    class FakeNumpy:
        @staticmethod
        def sin(x):
            return np.cos(x)

    module.np = FakeNumpy()
    assert df(0.3) == pytest.approx(-math.sin(0.3))
    module.f.__code__ = square.__code__
    assert df(0.3) == pytest.approx(0.6)


def test_different_wrt_gives_different_code():
    def f(x, y):
        return x * y ** 2

    assert s2sad.grad(f, wrt=0)(2.0, 3.0) == pytest.approx(9.0)
    assert s2sad.grad(f, wrt=1)(2.0, 3.0) == pytest.approx(12.0)
    assert "dy" in s2sad.show(f, wrt=1) and s2sad.show(f, wrt=0) != s2sad.show(f, wrt=1)


def test_recursion_limit_restored_state_after_error():
    limit = sys.getrecursionlimit()
    with pytest.raises(s2sad.S2sadError):
        s2sad.grad(deep)(1.0)
    assert sys.getrecursionlimit() == limit
    assert s2sad.grad(looped)(0.7, 3) == pytest.approx(
        s2sad.numerical_gradient(looped, [0.7, 3], 0), rel=1e-6)


log = logging.getLogger("s2sad-test")


def chatty(x):
    """A docstring, an assert, logging and print stay in the forward pass."""
    assert x > 0, "positive"
    log.info("x is %s", x)
    print("value", x)
    return np.log(x) * x


def test_statements_without_gradient_run_and_do_not_disturb(capsys, caplog):
    caplog.set_level(logging.INFO, logger="s2sad-test")
    assert s2sad.grad(chatty)(1.7) == pytest.approx(np.log(1.7) + 1)
    assert "value 1.7" in capsys.readouterr().out
    assert "x is 1.7" in caplog.text
    with pytest.raises(AssertionError, match="positive"):
        s2sad.grad(chatty)(-1.0)
