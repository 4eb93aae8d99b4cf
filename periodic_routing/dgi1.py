"""Single-queue limits: D/GI/1 (the queues W_r(p) of (2.8)) and M/GI/1 (Bernoulli routing).

D/GI/1 with inter-arrival time T (rate 1/T) and service law S, stable when E S < T:

* D/M/1, closed form (e.g. Bhat 2008; the paper's reference [9]): sigma in (0, 1) solves
  sigma = exp(-mu T (1 - sigma)), i.e. sigma = -rho W_0(-exp(-1/rho)/rho), rho = 1/(mu T) (Lambert W,
  principal branch; solved here as an equation in (1 - sigma)/rho, accurate up to rho -> 1), and W = 0
  with probability 1 - sigma, else Exp(mu (1 - sigma)):
  P(W > 0) = sigma, E W = sigma/(mu(1 - sigma)), Var W = sigma(2 - sigma)/(mu(1 - sigma))^2.
* Gamma service (exponential, Erlang-k) by Spitzer's identity (Asmussen, Applied Probability and
  Queues, VIII.(2.2)): the cumulants of W are kappa_j(W) = sum_n n^-1 E[((S_1 + .. + S_n - nT)^+)^j], so
  E W = sum_n n^-1 E[(S_n - nT)^+], Var W = sum_n n^-1 E[((S_n - nT)^+)^2] and
  P(W = 0) = exp(-sum_n n^-1 P(S_n > nT)).  With S_n ~ Gamma(n a, theta) each term is exact in terms of
  the regularised incomplete gamma Q(A, x) and g = x^A e^-x / Gamma(A + 1) (x = nT/theta, A = n a):
  E[(S_n - c)^+] = theta((A - x) Q + A g),  E[((S_n - c)^+)^2] = theta^2 (((x - A)^2 + A) Q + A (A + 1 - x) g).
* Deterministic service: W = 0.
* Any law with a CDF, on a lattice of step h = T/m: rounding S down (up) to the lattice gives a queue
  that is stochastically smaller (larger), hence E W_lo <= E W <= E W_up (Lindley is monotone in S);
  the lattice waits are the Loynes limit of the discrete recursion, iterated with FFT convolutions.
  The estimate is the midpoint and the error the half-width of the bracket.

M/GI/1 (Pollaczek-Khinchine and Takacs, Asmussen VIII.5): rho = lambda E S < 1,
E W = lambda E S^2 / (2 (1 - rho)), E W^2 = 2 (E W)^2 + lambda E S^3 / (3 (1 - rho)).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft, optimize, special

from ._checks import positive_int, positive_real
from .service import ServiceLaw


@dataclass(frozen=True)
class QueueLimit:
    """Stationary waiting time of one queue: ``mean``, ``variance`` (None when a needed moment of S is
    unknown), ``prob_wait`` = P(W > 0) (None when not computed), the ``method`` used and an absolute
    ``error`` bound or estimate on the mean (0 for closed forms)."""

    arrival_rate: float
    mean: float
    variance: float | None
    prob_wait: float | None
    method: str
    error: float = 0.0
    terms: int = 0

    @property
    def cond_mean(self) -> float | None:
        """E[W | W > 0]."""
        return None if not self.prob_wait else self.mean / self.prob_wait


def _check_dgi1(arrival_rate: float, law: ServiceLaw) -> float:
    lam = positive_real("arrival_rate", arrival_rate)
    if not isinstance(law, ServiceLaw):
        raise ValueError(f"law must be a ServiceLaw, got {law!r}")
    rho = lam * law.mean
    if not rho < 1:
        raise ValueError(f"unstable queue: load lambda E S = {rho:.6g} must be < 1 (lambda p_r/||p|| < mu_r)")
    return lam


def _dm1_root(rho: float) -> float:
    """x = (1 - sigma)/rho, where sigma in (0, 1) solves sigma = exp(-(1 - sigma)/rho) (D/M/1, rho < 1).

    Then sigma = e^(-x) and 1 - sigma = rho x, each with its own relative accuracy: the equation in x is
    q(x) = 1 - rho with q(x) = 1 - (1 - e^(-x))/x, increasing from 0 to 1.  As rho -> 1, sigma = 1 - u
    rounds towards 1 and the Lambert-W form -rho W_0(-e^(-1/rho)/rho) sits at its branch point (it gave
    NaN at rho = 1 - 1e-10); as rho -> 0, sigma underflows gracefully.  q(x) <= x/2 and q(x) >= 1 - 1/x
    bracket the root in [1 - rho, 2/rho].
    """
    rho = positive_real("rho", rho)
    if not rho < 1:
        raise ValueError(f"D/M/1 needs load rho = lambda/mu < 1, got {rho}")
    target = 1.0 - rho

    def q(x):
        if x < 1e-3:  # the series 1 - (1 - e^-x)/x = x/2 - x^2/6 + x^3/24 - x^4/120 + ... (no cancellation)
            return x * (0.5 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x / 120.0)))
        return 1.0 + math.expm1(-x) / x

    return optimize.brentq(lambda x: q(x) - target, target, 2.0 / rho, xtol=1e-300, rtol=4 * np.finfo(float).eps)


def dm1_gap(rho: float) -> float:
    """1 - sigma of the D/M/1 queue at load rho (:func:`_dm1_root`), accurate as rho -> 1."""
    return rho * _dm1_root(rho)


def dm1_sigma(rho: float) -> float:
    """Root sigma in (0, 1) of sigma = exp(-(1 - sigma)/rho) (:func:`_dm1_root`), accurate as rho -> 0."""
    return math.exp(-_dm1_root(rho))


def _dm1_parts(arrival_rate: float, mu: float):
    """(sigma, eta = mu (1 - sigma)) of the D/M/1 queue, from one root."""
    lam = positive_real("arrival_rate", arrival_rate)
    mu = positive_real("mu", mu)
    if not lam < mu:
        raise ValueError(f"unstable queue: load lambda/mu = {lam / mu:.6g} must be < 1")
    rho = lam / mu
    x = _dm1_root(rho)
    return lam, math.exp(-x), mu * rho * x


def dm1(arrival_rate: float, mu: float) -> QueueLimit:
    """D/M/1 closed form: P(W > 0) = sigma, E W = sigma/(mu(1 - sigma)), Var W = sigma(2 - sigma)/(mu(1 - sigma))^2."""
    lam, s, eta = _dm1_parts(arrival_rate, mu)
    return QueueLimit(lam, s / eta, s * (2.0 - s) / eta**2, s, "D/M/1 closed form (root of sigma = exp(-(1 - sigma)/rho))")


def dm1_cdf(arrival_rate: float, mu: float):
    """x -> P(W <= x) = 1 - sigma exp(-mu (1 - sigma) x) for the D/M/1 queue."""
    _, s, eta = _dm1_parts(arrival_rate, mu)
    return lambda x: np.where(np.asarray(x) >= 0, 1.0 - s * np.exp(-eta * np.maximum(np.asarray(x, float), 0)), 0.0)


def spitzer_gamma(arrival_rate: float, shape: float, scale: float, *, tol: float = 1e-15,
                  max_terms: int = 10**7) -> QueueLimit:
    """D/Gamma/1 by Spitzer's identity, exact term by term (module docstring); T = 1/arrival_rate,
    S ~ Gamma(shape, scale).  Summation stops when the geometric tail bound is below tol * E W."""
    lam = positive_real("arrival_rate", arrival_rate)
    a = positive_real("shape", shape)
    th = positive_real("scale", scale)
    if not lam * a * th < 1:
        raise ValueError(f"unstable queue: load lambda E S = {lam * a * th:.6g} must be < 1")
    T = 1.0 / lam
    s1 = s2 = s0 = 0.0
    n0 = 1
    batch = 512
    while True:
        n = np.arange(n0, n0 + batch, dtype=float)
        A = n * a
        x = n * T / th
        Q = special.gammaincc(A, x)
        g = np.exp(A * np.log(x) - x - special.gammaln(A + 1.0))
        e1 = th * ((A - x) * Q + A * g)
        e2 = th * th * (((x - A) ** 2 + A) * Q + A * (A + 1.0 - x) * g)
        if min(e1.min(), e2.min()) < -1e-280:  # only underflow (|value| < 1e-300) may come out negative
            raise RuntimeError(f"Spitzer term lost precision (min {min(e1.min(), e2.min()):.3g})")
        e1 = np.maximum(e1, 0.0)  # zero out denormal underflow, see the check above
        e2 = np.maximum(e2, 0.0)
        t1, t2, t0 = e1 / n, e2 / n, Q / n
        s1 += float(t1.sum())
        s2 += float(t2.sum())
        s0 += float(t0.sum())
        last = t1[-1]
        ratio = t1[-1] / t1[-2] if t1[-2] > 0 else 0.0
        tail = last * ratio / (1.0 - ratio) if ratio < 1 else math.inf
        n0 += batch
        if tail <= tol * max(s1, 1e-300) and t2[-1] <= tol * max(s2, 1e-300) * (1 - ratio) or last == 0.0:
            return QueueLimit(lam, s1, s2, -math.expm1(-s0), "Spitzer series (exact gamma terms)",
                              error=float(max(tail, 0.0)) + 1e-15 * s1, terms=n0 - 1)
        if n0 > max_terms:
            raise RuntimeError(f"Spitzer series did not converge in {max_terms} terms (load too close to 1)")
        batch = min(batch * 2, 1 << 16)


def _lattice_pmfs(law: ServiceLaw, h: float, eps: float = 1e-13):
    # support up to J h with 1 - F(J h) < eps (the remaining mass is put on the last lattice point)
    J = 64
    while 1.0 - float(law.cdf(np.array([J * h]))[0]) > eps:
        J *= 2
        if J > 1 << 18:
            raise ValueError(f"service law tail too heavy for the lattice method (1 - F(x) > {eps:g} at x = 2^18 h); "
                             "estimate the D/GI/1 queue by simulation instead")
    F = np.asarray(law.cdf(np.arange(J + 1) * h), dtype=float)
    J = max(int(np.searchsorted(F, 1.0 - eps, side="left")), 1)  # trim to the first point with tail < eps
    F = F[:J + 1].copy()
    F[-1] = 1.0
    lo = np.diff(F)                      # P(floor(S/h) = j), j = 0..J-1
    up = np.concatenate(([F[0]], lo))    # P(ceil(S/h) = j), j = 0..J
    return lo, up


def _lattice_wait(pmf: np.ndarray, m: int, tol: float = 1e-13, max_iter: int = 200000):
    """Stationary pmf of W = (W + S - m)^+ on the integers (S has pmf ``pmf``), by Loynes iteration from
    W = 0 (monotone convergence), FFT convolutions; the support grows when mass would be lost."""
    mean_s = float(np.arange(pmf.size) @ pmf)
    L = max(2 * pmf.size, 1024)
    w = np.zeros(L)
    w[0] = 1.0
    prev_mean = -1.0
    nfft = 0
    for it in range(max_iter):
        if nfft != fft.next_fast_len(L + pmf.size - 1):
            nfft = fft.next_fast_len(L + pmf.size - 1)
            pmf_hat = fft.rfft(pmf, nfft)
        conv = fft.irfft(fft.rfft(w, nfft) * pmf_hat, nfft)[:L + pmf.size - 1]
        if conv.min() < -1e-12:
            raise RuntimeError(f"FFT convolution lost precision (min {conv.min():.3g})")
        conv = np.maximum(conv, 0.0)  # FFT round-off (|value| < 1e-12, checked above) only
        lost = conv[m + L:].sum()
        if lost > 1e-13:  # the support would grow past L: double it and redo the step
            w = np.concatenate((w, np.zeros(L)))
            L *= 2
            continue
        new = np.zeros(L)
        new[0] = conv[:m + 1].sum()
        seg = conv[m + 1:m + L]
        new[1:1 + seg.size] = seg
        w = new / new.sum()
        mean = float(np.arange(L) @ w)
        if abs(mean - prev_mean) <= tol * max(mean, 1.0) and it > 10:
            var = float((np.arange(L) ** 2) @ w) - mean**2
            return mean, var, 1.0 - w[0], w
        prev_mean = mean
    raise RuntimeError(f"lattice D/GI/1 iteration did not converge (E S = {mean_s} lattice units, T = {m})")


def _lattice_mid(lam: float, law: ServiceLaw, m: int):
    T = 1.0 / lam
    h = T / m
    lo, up = _lattice_pmfs(law, h)
    if float(np.arange(up.size) @ up) >= m:
        raise ValueError(f"lattice too coarse: the rounded-up service time is unstable; increase m (now {m})")
    ml, vl, pl, _ = _lattice_wait(lo, m)
    mu_, vu, pu, _ = _lattice_wait(up, m)
    return 0.5 * (ml + mu_) * h, 0.5 * (vl + vu) * h * h, 0.5 * (pl + pu), 0.5 * (mu_ - ml) * h


def lattice_dgi1(arrival_rate: float, law: ServiceLaw, m: int = 64) -> QueueLimit:
    """D/GI/1 for a law with a CDF on the lattice h = T/m (module docstring).

    The bracket midpoints at steps T/m and T/(m/2) have O(h^2) error; their Richardson combination
    (4 E_m - E_(m/2))/3 is returned, with error estimate |E_m - Richardson| (the bracket half-width,
    a rigorous bound on |E_m - E W|, is kept in ``method``)."""
    lam = _check_dgi1(arrival_rate, law)
    m = positive_int("m", m, 4)
    if law.cdf is None:
        raise ValueError(f"the lattice method needs the CDF of the service law {law.name}")
    e1, v1, p1, half1 = _lattice_mid(lam, law, m // 2)
    e2, v2, p2, half2 = _lattice_mid(lam, law, 2 * (m // 2))
    mean = (4.0 * e2 - e1) / 3.0
    var = (4.0 * v2 - v1) / 3.0
    return QueueLimit(lam, mean, var, float((4.0 * p2 - p1) / 3.0),
                      f"lattice, Richardson of m={m // 2},{2 * (m // 2)} (bracket half-width {half2:.3g})",
                      error=abs(e2 - mean))


def lattice_cdf(arrival_rate: float, law: ServiceLaw, m: int = 128):
    """x -> P(W <= x) for the D/GI/1 queue, bracketed on the lattice h = T/m: since W_lo <=_st W <=_st W_up,
    F_up(x) <= F(x) <= F_lo(x).  Returns (F, halfwidth) with F the midpoint and ``halfwidth(x)`` half the
    bracket."""
    lam = _check_dgi1(arrival_rate, law)
    m = positive_int("m", m, 2)
    if law.cdf is None:
        raise ValueError(f"the lattice method needs the CDF of the service law {law.name}")
    h = 1.0 / (lam * m)
    lo, up = _lattice_pmfs(law, h)
    if float(np.arange(up.size) @ up) >= m:
        raise ValueError(f"lattice too coarse: the rounded-up service time is unstable; increase m (now {m})")
    c_lo = np.cumsum(_lattice_wait(lo, m)[3])
    c_up = np.cumsum(_lattice_wait(up, m)[3])

    def _at(c, x):
        j = np.floor(np.asarray(x, dtype=float) / h).astype(np.int64)
        return np.where(j < 0, 0.0, c[np.clip(j, 0, c.size - 1)])

    return (lambda x: 0.5 * (_at(c_lo, x) + _at(c_up, x))), (lambda x: 0.5 * (_at(c_lo, x) - _at(c_up, x)))


def dgi1(arrival_rate: float, law: ServiceLaw, *, method: str = "auto") -> QueueLimit:
    """Stationary waiting time of the D/GI/1 queue with rate ``arrival_rate`` and service ``law``.

    ``method``: "auto" (closed form for exponential and deterministic, Spitzer for gamma laws, lattice
    for other laws with a CDF), "closed", "spitzer" or "lattice"."""
    lam = _check_dgi1(arrival_rate, law)
    if method not in ("auto", "closed", "spitzer", "lattice"):
        raise ValueError(f"method must be auto, closed, spitzer or lattice, got {method!r}")
    if law.deterministic and method in ("auto", "closed"):
        return QueueLimit(lam, 0.0, 0.0, 0.0, "D/D/1 (no waiting)")
    if law.gamma_shape == 1.0 and method in ("auto", "closed"):
        return dm1(lam, law.rate)
    if law.gamma_shape is not None and method in ("auto", "spitzer"):
        return spitzer_gamma(lam, law.gamma_shape, law.mean / law.gamma_shape)
    if law.cdf is not None and method in ("auto", "lattice"):
        return lattice_dgi1(lam, law)
    raise ValueError(f"no {method} D/GI/1 method for {law.name}: give a gamma law, a deterministic law or a CDF "
                     "(or estimate it by simulation with periodic_routing.simulate_waits)")


def mgi1(arrival_rate: float, law: ServiceLaw) -> QueueLimit:
    """M/GI/1 by Pollaczek-Khinchine (mean) and Takacs (second moment); P(W > 0) = rho."""
    lam = _check_dgi1(arrival_rate, law)
    if law.second_moment is None:
        raise ValueError(f"Pollaczek-Khinchine needs E S^2 of {law.name}")
    rho = lam * law.mean
    ew = lam * law.second_moment / (2.0 * (1.0 - rho))
    var = None
    if law.third_moment is not None:
        var = 2.0 * ew * ew + lam * law.third_moment / (3.0 * (1.0 - rho)) - ew * ew
    return QueueLimit(lam, ew, var, rho, "M/GI/1 Pollaczek-Khinchine")
