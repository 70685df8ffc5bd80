"""The two regressions expected courses need, on plain numpy arrays.

Takes: design rows and outcomes (and weights). Returns: coefficients. quantile_regression is the
Frisch-Newton interior-point method for (weighted) linear quantile regression; logistic is a
ridge-penalised logistic regression by Newton's method (the chance of still attending). Both
raise SolverFailed, never numpy's own errors, when the data do not determine the coefficients.
"""

from __future__ import annotations

import numpy as np

# The interior-point method's limits: at most IP_STEPS steps; done when the duality gap is
# below IP_GAP of the loss (far below the 6 decimals the coefficients are kept to).
IP_STEPS, IP_GAP, IP_SHRINK = 100, 1e-9, 0.9995
LOGISTIC_STEPS, RIDGE = 25, 1e-3


class SolverFailed(ValueError):
    """The data do not determine the coefficients (a design of too few distinct rows)."""


def quantile_regression(
    rows: np.ndarray,
    index: np.ndarray,
    y: np.ndarray,
    tau: float,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """The coefficients minimising the check loss of quantile TAU for outcomes Y whose design
    rows are ROWS[INDEX] (the distinct rows and which one each outcome has), each outcome's
    loss times its WEIGHT (the row and outcome multiplied by it): the Frisch-Newton
    interior-point method on the dual problem (Koenker & Portnoy 1997; the rq.fit.fnb of R's
    quantreg). About 20-40 steps, each one p x p solve, so 100,000 forms fit in a fraction of
    a second; no random start, so the same data give the same coefficients."""
    with np.errstate(all="ignore"):
        try:
            beta = _interior_point(rows, index, y, tau, weights)
        except np.linalg.LinAlgError:
            raise SolverFailed("the design has too few distinct rows") from None
    if not np.all(np.isfinite(beta)):
        raise SolverFailed("the coefficients are not finite numbers")
    return beta


def _interior_point(
    rows: np.ndarray, index: np.ndarray, y: np.ndarray, tau: float, weights: np.ndarray | None
) -> np.ndarray:
    n = len(y)
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    matrix = _Design(rows, index.reshape(-1), weights)
    c = -y * weights
    x = np.full(n, 1 - tau)
    b = matrix.t(x)
    s = 1 - x
    dual = np.linalg.solve(matrix.normal(np.ones(n)), matrix.t(c))
    r = c - matrix.times(dual)
    r = r + 0.001 * (r == 0)
    z = np.where(r > 0, r, 0.0)
    w = z - r
    gap = _dot(c, x) - _dot(dual, b) + w.sum()
    for _ in range(IP_STEPS):
        if gap <= IP_GAP * (1 + abs(_dot(c, x))):
            break
        q = 1 / (z / x + w / s)
        r = z - w
        normal = matrix.normal(q)
        dy = np.linalg.solve(normal, matrix.t(q * r))
        dx = q * (matrix.times(dy) - r)
        ds = -dx
        dz = -z * (dx / x + 1)
        dw = -w * (ds / s + 1)
        fp, fd = _steps(x, dx, s, ds), _steps(w, dw, z, dz)
        if min(fp, fd) < 1:
            mu = _dot(z, x) + _dot(w, s)
            g = _dot(z + fd * dz, x + fp * dx) + _dot(w + fd * dw, s + fp * ds)
            mu = mu * (g / mu) ** 3 / (2 * n)
            dxdz, dsdw = dx * dz, ds * dw
            xinv, sinv = 1 / x, 1 / s
            xi = mu * (xinv - sinv)
            dy = np.linalg.solve(normal, matrix.t(q * (r + dxdz - dsdw - xi)))
            dx = q * (matrix.times(dy) + xi - r - dxdz + dsdw)
            ds = -dx
            dz = mu * xinv - z - xinv * z * dx - dxdz
            dw = mu * sinv - w - sinv * w * ds - dsdw
            fp, fd = _steps(x, dx, s, ds), _steps(w, dw, z, dz)
        x, s = x + fp * dx, s + fp * ds
        dual, w, z = dual + fd * dy, w + fd * dw, z + fd * dz
        gap = _dot(c, x) - _dot(dual, b) + w.sum()
    return -dual


class _Design:
    """A design matrix held as its distinct rows and, per outcome, which row: totals are
    recorded to 0.1 and sessions are whole, so 100,000 forms have a few thousand distinct rows,
    and the products the method needs cost a bincount, not a pass over 100,000 x 6 numbers."""

    def __init__(self, rows: np.ndarray, index: np.ndarray, weights: np.ndarray) -> None:
        self.rows, self.index, self.count = rows, index, len(rows)
        self.weights = weights  # outcome i's row is WEIGHTS[i] * ROWS[INDEX[i]]

    def _sum(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.index, weights=values, minlength=self.count)

    def normal(self, q: np.ndarray) -> np.ndarray:
        """X' diag(Q) X."""
        return np.einsum("ij,i,ik->jk", self.rows, self._sum(q * self.weights**2), self.rows)

    def t(self, vector: np.ndarray) -> np.ndarray:
        """X' VECTOR."""
        return np.einsum("ij,i->j", self.rows, self._sum(vector * self.weights))

    def times(self, coefficients: np.ndarray) -> np.ndarray:
        """X COEFFICIENTS."""
        return np.einsum("ij,j->i", self.rows, coefficients)[self.index] * self.weights


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.einsum("i,i->", u, v))


def _steps(
    first: np.ndarray, d_first: np.ndarray, second: np.ndarray, d_second: np.ndarray
) -> float:
    """The longest step (at most 1, kept just inside) that keeps both vectors positive."""
    longest = 1e20
    for value, step in ((first, d_first), (second, d_second)):
        falling = step < 0
        if falling.any():
            longest = min(longest, float(np.min(-value[falling] / step[falling])))
    return min(IP_SHRINK * longest, 1.0)


def logistic(design: np.ndarray, came: np.ndarray) -> np.ndarray:
    """The coefficients of a logistic regression of CAME (0/1) on DESIGN (its first column the
    constant), with a small ridge on the other columns so that a design whose outcome one
    column separates perfectly still gives finite coefficients."""
    ridge = np.full(design.shape[1], RIDGE * len(came))
    ridge[0] = 0.0
    beta = np.zeros(design.shape[1])
    share = float(np.clip(came.mean(), 0.01, 0.99))
    beta[0] = np.log(share / (1 - share))
    with np.errstate(all="ignore"):
        for _ in range(LOGISTIC_STEPS):
            chance = 1 / (1 + np.exp(-(design @ beta)))
            gradient = design.T @ (came - chance) - ridge * beta
            hessian = (design.T * (chance * (1 - chance))) @ design + np.diag(ridge + 1e-9)
            try:
                step = np.linalg.solve(hessian, gradient)
            except np.linalg.LinAlgError:
                raise SolverFailed("the design has too few distinct rows") from None
            beta = beta + step
            if float(np.max(np.abs(step))) < 1e-8:
                break
    if not np.all(np.isfinite(beta)):
        raise SolverFailed("the coefficients are not finite numbers")
    return beta
