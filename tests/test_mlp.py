"""The hidden-layer network of notebook 13 against independent oracles, and its checkers.

Oracles: a loop-by-loop NumPy forward pass, SymPy's own derivative (lambdified),
complex-step and central differences, mpmath at 50 digits for the cost, and
PyTorch's autograd where it is installed.  The proofs are tested for holding and
for failing when a display changes in tests/test_claims.py (OTHER_CLAIMS).
"""

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from derivation import mlp
from derivation.differences import numerical_grad


@pytest.fixture(scope="module")
def net():
    return mlp.example(np.random.default_rng(0))


def small(seed=1, activation="tanh", **sizes):
    sizes = {"m": 2, "d": 2, "n": 2, "K": 3} | sizes
    return mlp.example(np.random.default_rng(seed), activation=activation, **sizes)


# --------------------------------------------------------------------------- forward, loss
def test_forward_matches_a_loop_by_loop_oracle(net):
    p, c = net.params, net.cache
    for i in range(net.X.shape[0]):
        a1 = [sum(p["W1"][j, l] * net.X[i, l] for l in range(4)) + p["b1"][j] for j in range(5)]
        z1 = [np.tanh(a) for a in a1]
        a2 = [sum(p["W2"][k, j] * z1[j] for j in range(5)) + p["b2"][k] for k in range(3)]
        e = [np.exp(a) for a in a2]
        np.testing.assert_allclose(c.Z1[i], a1, rtol=1e-13)
        np.testing.assert_allclose(c.A1[i], z1, rtol=1e-13)
        np.testing.assert_allclose(c.Z2[i], a2, rtol=1e-13)
        np.testing.assert_allclose(c.H[i], np.array(e) / sum(e), rtol=1e-13)


def test_loss_matches_mpmath_at_50_digits(net):
    import mpmath as mp

    p, c = net.params, net.cache
    with mp.workdps(50):
        total = mp.mpf(0)
        for i in range(6):
            a2 = [mp.mpf(float(v)) for v in c.Z2[i]]
            lse = mp.log(sum(mp.exp(a) for a in a2))
            total += -sum(float(net.Y[i, k]) * (a2[k] - lse) for k in range(3))
        weights = np.concatenate([p["W1"].ravel(), p["W2"].ravel()])
        J = total / 6 + mp.mpf(net.lam) / 2 * sum(mp.mpf(float(w)) ** 2 for w in weights)
        expected = float(J)
    assert float(mlp.loss(p, net.X, net.Y, net.lam)) == pytest.approx(expected, rel=1e-14)


def test_relu_forward_is_max_zero(net):
    c = mlp.forward(net.params, net.X, "relu")
    np.testing.assert_array_equal(c.A1, np.maximum(c.Z1, 0))


# --------------------------------------------------------------------------- backward
def test_backward_matches_sympy_lambdified():
    s = small()
    oracle = mlp.sympy_gradient(s.params, s.X, s.Y, s.lam)
    ours = mlp.gradient(s.params, s.X, s.Y, s.lam)
    for k in mlp.PARAMS:
        np.testing.assert_allclose(ours[k], oracle[k], rtol=1e-12, atol=1e-15)


@pytest.mark.slow
def test_backward_matches_sympy_on_a_larger_network():
    s = small(seed=3, m=3, d=2, n=3, K=4)
    oracle = mlp.sympy_gradient(s.params, s.X, s.Y, s.lam)
    ours = mlp.gradient(s.params, s.X, s.Y, s.lam)
    for k in mlp.PARAMS:
        np.testing.assert_allclose(ours[k], oracle[k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("method", ["complex", "central"])
def test_backward_matches_numerical_differences(net, method):
    def f(theta):
        return mlp.loss(mlp.unpack(theta, net.params), net.X, net.Y, net.lam)

    numerical = numerical_grad(f, mlp.pack(net.params), method=method)
    analytic = mlp.pack(mlp.gradient(net.params, net.X, net.Y, net.lam))
    tol = 1e-12 if method == "complex" else 1e-7
    np.testing.assert_allclose(analytic, numerical, rtol=tol, atol=tol * 1e-2)


def test_backward_steps_are_the_chain_rule_by_hand(net):
    s, c, p = net.steps, net.cache, net.params
    np.testing.assert_allclose(s["dZ2"], (c.H - net.Y) / 6, rtol=1e-15)
    np.testing.assert_allclose(s["dZ1"], (s["dZ2"] @ p["W2"]) / np.cosh(c.Z1) ** 2, rtol=1e-12)
    np.testing.assert_allclose(s["db1"], np.ones(6) @ s["dZ1"], rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("activation", mlp.ACTIVATIONS)
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_gradcheck_calls_the_right_backward_fine(activation, lam):
    s = mlp.example(np.random.default_rng(5), activation=activation, lam=lam)
    assert mlp.check_backward(mlp.gradient, s).verdict == "fine"


def test_torch_autograd_agrees(net):
    torch = pytest.importorskip("torch")
    t = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    X, Y = torch.tensor(net.X), torch.tensor(net.Y)
    Z2 = torch.tanh(X @ t["W1"].T + t["b1"]) @ t["W2"].T + t["b2"]
    J = -(Y * torch.log_softmax(Z2, dim=1)).sum() / 6
    J = J + net.lam / 2 * ((t["W1"] ** 2).sum() + (t["W2"] ** 2).sum())
    J.backward()
    ours = mlp.gradient(net.params, net.X, net.Y, net.lam)
    for k in mlp.PARAMS:
        np.testing.assert_allclose(ours[k], t[k].grad.numpy(), rtol=1e-12, atol=1e-15)


def test_training_lowers_the_loss_deterministically(net):
    _, first = mlp.train(net.params, net.X, net.Y, lam=net.lam, steps=50)
    _, again = mlp.train(net.params, net.X, net.Y, lam=net.lam, steps=50)
    np.testing.assert_array_equal(first, again)
    assert first[-1] < 0.5 * first[0] and np.all(np.diff(first) < 0)


# --------------------------------------------------------------------------- the bug hunt
@pytest.mark.parametrize("name", mlp.BUGS)
def test_gradcheck_finds_every_bug_and_passes_the_innocent(net, name):
    function, is_bug = mlp.BUGS[name]
    verdict = mlp.check_backward(function, net).verdict
    assert (verdict != "fine") if is_bug else (verdict == "fine"), (name, verdict)


def test_suspects_are_the_bugs_under_neutral_names(net):
    assert set(mlp.DIAGNOSES.values()) == set(mlp.BUGS)
    for letter, suspect in mlp.SUSPECTS.items():
        assert suspect.__name__ == f"suspect_{letter}"
        assert mlp.DIAGNOSES[letter] not in (suspect.__doc__ or "")
        ours = suspect(net.params, net.X, net.Y, net.lam)
        theirs = mlp.BUGS[mlp.DIAGNOSES[letter]][0](net.params, net.X, net.Y, net.lam)
        assert all(np.array_equal(ours[k], theirs[k]) for k in mlp.PARAMS)


# --------------------------------------------------------------------------- the step checker
def _hand_slips(net):
    """The usual mistakes written out independently of mlp._variant: (step, value, mistake)."""
    p, c, Y, lam = net.params, net.cache, net.Y, net.lam
    m = 6
    d2 = (c.H - Y) / m
    d1 = (d2 @ p["W2"]) * (1 - c.A1**2)
    return [
        ("dZ2", c.H - Y, "missing 1/m"),
        ("dZ2", (np.exp(c.H) / np.exp(c.H).sum(1, keepdims=True) - Y) / m, "softmax applied twice"),
        ("dZ2", (Y - c.H) / m, "sign of H - Y"),
        ("dW2", d2.T @ c.A1, "forgotten regulariser"),
        ("dW2", d2.T @ c.A1 + 2 * lam * p["W2"], "2λ"),
        ("dW2", d2.T @ c.A1 - lam * p["W2"], "regulariser's sign"),
        ("dW2", d2.T @ c.Z1 + lam * p["W2"], "Z1 instead of A1"),
        ("db2", d2.mean(axis=0), "mean instead of sum"),
        ("db2", d2.sum(axis=0) + lam * p["b2"], "regularised bias"),
        ("dZ1", d2 @ p["W2"], "missing f′"),
        ("dZ1", (d2 @ p["W2"]) * (1 - c.Z1**2), "f′ as 1 − Z₁²"),
        ("dZ1", (d2 @ p["W2"]) * (1 - c.A1), "f′ as 1 − A₁"),
        ("dW1", (d2 @ p["W2"]).T @ net.X + lam * p["W1"], "missing f′"),
        ("dW1", d1.T @ net.X, "forgotten regulariser"),
        ("dW1", d1.T @ net.X + 2 * lam * p["W1"], "2λ"),
        ("dW1", d1.T @ net.X - lam * p["W1"], "regulariser's sign"),
        ("dW1", m * d1.T @ net.X + lam * p["W1"], "missing 1/m"),
        ("db1", (d2 @ p["W2"]).sum(axis=0), "missing f′"),
        ("db1", d1.mean(axis=0), "mean instead of sum"),
    ]


def test_the_checker_names_each_usual_mistake(net):
    for step, value, mistake in _hand_slips(net):
        result = mlp.check_step(step, value, net)
        assert not result.correct and result.mistake == mistake, (step, mistake, str(result))
        assert str(result).startswith(f"✘ {step}: wrong: ")


def test_the_checker_accepts_right_answers_computed_another_way(net):
    p, c, Y = net.params, net.cache, net.Y
    d2 = np.einsum("ik->ik", c.H) / 6 - Y / 6
    d1 = np.einsum("ik,kj->ij", d2, p["W2"]) * (1 - np.tanh(c.Z1) ** 2)
    right = {
        "dZ2": d2,
        "dW2": (c.A1.T @ d2).T + net.lam * p["W2"],
        "db2": np.ones(6) @ d2,
        "dA1": (p["W2"].T @ d2.T).T,
        "dZ1": d1,
        "dW1": np.einsum("ij,il->jl", d1, net.X) + p["W1"] * net.lam,
        "db1": [sum(d1[i, j] for i in range(6)) for j in range(5)],
    }
    for step, value in right.items():
        result = mlp.check_step(step, value, net)
        assert result.correct and str(result) == f"✔ {step}: right", (step, str(result))


def test_the_checker_reports_shapes_as_expected_and_got(net):
    result = mlp.check_step("dW1", net.steps["dW1"].T, net)
    assert result.mistake == "shape" and not result.correct
    assert result.verdict.startswith("wrong shape: expected (5, 4), got (4, 5)")
    assert "transpose" in result.verdict
    keep = mlp.check_step("db2", net.steps["db2"][None, :], net)
    assert keep.verdict == "wrong shape: expected (3,), got (1, 3)"


def test_the_checker_does_not_name_an_unknown_mistake(net):
    result = mlp.check_step("dW2", np.zeros((3, 5)), net)
    assert result.mistake == "unknown" and result.verdict.startswith("wrong (largest difference")
    assert mlp.check_step("dZ2", [["a"]], net).mistake == "unknown"
    nan = np.full((6, 3), np.nan)
    assert mlp.check_step("dZ2", nan, net).verdict == "wrong: contains NaN or inf"


def test_the_relu_checker_names_a_missing_fprime():
    s = mlp.example(np.random.default_rng(2), activation="relu")
    result = mlp.check_step("dZ1", s.steps["dA1"], s)
    assert result.mistake == "missing f′"
    assert mlp.check_step("dZ1", s.steps["dA1"] * (s.cache.A1 > 0), s).correct


def test_the_learner_s_whole_backward_by_gradcheck(net):
    def mine(params, X, Y, lam):
        c = mlp.forward(params, X)
        d2 = (c.H - Y) / X.shape[0]
        d1 = d2 @ params["W2"] * (1 - c.A1**2)
        return {"W1": d1.T @ X + lam * params["W1"], "b1": d1.sum(0),
                "W2": d2.T @ c.A1 + lam * params["W2"], "b2": d2.sum(0)}  # fmt: skip

    assert mlp.check_backward(mine, net).verdict == "fine"
    with pytest.raises(ValueError, match="gradient of W1 must have shape"):
        mlp.check_backward(lambda *a: mine(*a) | {"W1": np.zeros((4, 5))}, net)


# --------------------------------------------------------------------------- proofs
def test_every_backprop_claim_holds_and_needs_one_hot_labels():
    steps = mlp.backprop_proofs()
    assert len(steps) == 6 + 6 + 3 + 4 + 4 + 4 + 2
    assert all(s.holds() for s in steps)
    assert not any(s.holds(one_hot=False) for s in steps)


def test_dropping_fprime_or_the_regulariser_refutes_the_claim():
    steps = {s.key: s for s in mlp.backprop_proofs()}
    sym = mlp._symbols()
    dW1, dZ1 = steps["dW1_21"], steps["dZ1_12"]
    back = [sp.Add(*(sym.d2[i][k] * sym.W2[k][1] for k in range(3))) for i in range(2)]
    no_fprime = sum(back[i] * sym.x[i][0] for i in range(2)) + sym.lam * sym.W1[1][0]
    assert not replace(dW1, chain=(no_fprime,)).holds()
    assert not replace(dZ1, where=((sym.d1[0][1], back[0]),)).holds()
    no_penalty = sum(sym.d1[i][1] * sym.x[i][0] for i in range(2))
    assert not replace(dW1, chain=(no_penalty,)).holds()
    assert not replace(dW1, chain=(no_penalty + 2 * sym.lam * sym.W1[1][0],)).holds()
    assert replace(dW1, chain=(no_penalty + sym.lam * sym.W1[1][0],)).holds()


def test_the_prover_s_tanh_is_tanh():
    a = sp.Symbol("a", real=True)
    assert sp.simplify((mlp._tanh_exp(a) - sp.tanh(a)).rewrite(sp.exp)) == 0
    (derivative,) = mlp.tanh_proofs()
    assert derivative.holds()


def test_the_regulariser_gives_lambda_w_and_2_lambda_w():
    half, whole, refuted = mlp.regulariser_proofs()
    assert half.holds() and whole.holds() and not refuted.holds()


def test_the_proofs_are_registered_for_the_display_mutation_tests():
    from tests.test_claims import OTHER_CLAIMS

    registered = {c.key for name in OTHER_CLAIMS for c in OTHER_CLAIMS[name]()}
    ours = [*mlp.backprop_proofs(), *mlp.tanh_proofs(), *mlp.regulariser_proofs()[:2]]
    assert {c.key for c in ours} <= registered


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p, X, Y: ({**p, "W1": p["W1"].T}, X, Y), "b1 must have shape"),
        (lambda p, X, Y: ({**p, "b2": p["b2"][:2]}, X, Y), "b2 must have shape"),
        (lambda p, X, Y: ({k: v for k, v in p.items() if k != "b1"}, X, Y), "keys"),
        (lambda p, X, Y: (p, X[:, :3], Y), "X must have D = 4 columns"),
        (lambda p, X, Y: (p, X[0], Y), "batch of rows"),
        (lambda p, X, Y: (p, X[:0], Y[:0]), "empty batch"),
        (lambda p, X, Y: (p, np.where(X > 1, np.nan, X), Y), "X contains NaN"),
        (lambda p, X, Y: ({**p, "W2": p["W2"] * np.inf}, X, Y), "W2 contains"),
        (lambda p, X, Y: (p, X, Y * 2), "one-hot"),
        (lambda p, X, Y: (p, X, np.ones_like(Y) / 3), "one-hot"),
        (lambda p, X, Y: (p, X, np.hstack([Y[:, :2], Y[:, :1]])), "row 0 sums to"),
        (lambda p, X, Y: (p, X, Y[:, :2]), "Y must be one-hot rows of shape"),
        (lambda p, X, Y: ({**p, "W1": p["W1"].astype(int)}, X, Y), "floating point"),
    ],
)
def test_bad_input_is_a_value_error(net, change, message):
    p, X, Y = change(net.params, net.X, net.Y)
    with pytest.raises(ValueError, match=message):
        mlp.loss(p, X, Y, 0.1)


@pytest.mark.parametrize("lam", [-0.1, np.nan, np.inf, "0.1", True])
def test_lambda_must_be_a_number_at_least_zero(net, lam):
    with pytest.raises(ValueError, match="lam"):
        mlp.loss(net.params, net.X, net.Y, lam)


@pytest.mark.parametrize("activation", ["sigmoid", "", None, "TANH"])
def test_unknown_activation_is_a_value_error(net, activation):
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp.forward(net.params, net.X, activation)


def test_other_bad_calls_are_value_errors(net):
    with pytest.raises(ValueError, match="step must be one of"):
        mlp.check_step("dW3", np.zeros(3), net)
    with pytest.raises(ValueError, match="cache"):
        mlp.backward(net.params, net.cache._replace(A1=net.cache.A1[:, :2]), net.Y)
    with pytest.raises(ValueError, match="K must be a whole number >= 2"):
        mlp.init_params(2, 3, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="Generator"):
        mlp.init_params(2, 3, 2, 0)
    with pytest.raises(ValueError, match="vector must have shape"):
        mlp.unpack(np.zeros(3), net.params)
    with pytest.raises(ValueError, match="W2 must have at least two rows"):
        mlp.loss({**net.params, "W2": net.params["W2"][:1], "b2": net.params["b2"][:1]},
                 net.X, net.Y[:, :1], 0.0)  # fmt: skip


# --------------------------------------------------------------------------- notebook 13
def test_notebook_13_names_no_suspect_s_mistake_before_the_reveal():
    """As notebook 10's hunt: from the hunt's heading to the reveal, nothing a reader sees
    (prose outside <details>, code, outputs) names a mistake of BUGS or a bug's function."""
    import json
    import re
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "notebooks" / "13_through_a_hidden_layer.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    start = next(i for i, c in enumerate(cells) if "## Explore: a bug hunt" in "".join(c["source"]))
    reveal = next(i for i, c in enumerate(cells) if "Reveal: the diagnoses" in "".join(c["source"]))
    seen = []
    for cell in cells[start:reveal]:
        seen.append(re.sub(r"<details>.*?</details>", "", "".join(cell["source"]), flags=re.S))
        for out in cell.get("outputs", []):
            seen.append(
                "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            )
    text = "\n".join(seen).lower()
    telling = [name.lower() for name in mlp.BUGS] + [f.__name__ for f, _ in mlp.BUGS.values()]
    assert start < reveal and not [t for t in telling if t in text]
    assert "mlp.SUSPECTS" in "\n".join(seen)
