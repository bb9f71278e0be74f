"""Synthetic economies at any size, in the scenario format (the benchmarks' G1-G4).

P products, R regions, K techniques per product and region. Each technique uses D other
products of its region, with coefficients adding up to between 0.3 and 0.6 per unit of output
(so every region's technology is productive), and F factors. Regions are linked both ways on a
ring plus R random chords, losing 1-8% on the way. About half of the product-region pairs carry
a target. Factor supplies are set from a reference plan (technique 0 everywhere, no trade,
every target met) scaled by 0.5-1.0 per region and factor, so that factors bind.

Everything is drawn with numpy in whole arrays; ids are built with pyarrow string kernels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ..arrowtext import text_series
from ..output import scenario_marker, staged_folder
from .files import toml_text, write_frame

FACTOR_NAMES = ("labour", "land", "capital", "energy", "water")


@dataclass(frozen=True)
class GeneratorSpec:
    products: int
    regions: int
    techniques: int = 1
    inputs: int = 8
    factors: int = 2
    seed: int = 0
    years: int = 1  # > 1: a multi-year scenario (first year 2000, lag 1)
    capital: int = 0  # capital goods each technique needs (multi-year scenarios)

    def __post_init__(self) -> None:
        for name in ("products", "regions", "techniques"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be at least 1")
        if self.inputs < 0 or self.factors < 0:
            raise ValueError("--inputs and --factors must be zero or more")
        if self.years < 1 or self.capital < 0:
            raise ValueError("--years must be at least 1 and --capital zero or more")
        if self.capital and self.years == 1:
            raise ValueError("--capital needs a multi-year economy (--years 2 or more)")

    @property
    def name(self) -> str:
        years = f"-y{self.years}-c{self.capital}" if self.years > 1 else ""
        return (f"generated-{self.products}x{self.regions}x{self.techniques}"
                f"-d{self.inputs}-f{self.factors}-s{self.seed}{years}")

    @property
    def horizon(self) -> dict[str, int] | None:
        """The [horizon] section of a multi-year economy."""
        return ({"first": 2000, "last": 2000 + self.years - 1, "lag": 1} if self.years > 1
                else None)


def _ids(prefix: str, count: int, width: int | None = None) -> pa.Array:
    width = width or len(str(max(count - 1, 0)))
    numbers = pc.cast(pa.array(np.arange(count, dtype=np.int64)), pa.string())
    padded = pc.utf8_lpad(numbers, width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, pa.scalar(""))


def generate_tables(spec: GeneratorSpec) -> dict[str, pd.DataFrame]:
    """The scenario tables of a synthetic economy (see the module docstring)."""
    rng = np.random.default_rng(spec.seed)
    P, R, K = spec.products, spec.regions, spec.techniques
    D = min(spec.inputs, P - 1)
    F = spec.factors
    T = P * R * K
    product_ids = _ids("p", P)
    region_ids = _ids("r", R)
    factor_ids = pa.array([FACTOR_NAMES[f] if f < len(FACTOR_NAMES) else f"factor{f}"
                           for f in range(F)], type=pa.string())

    # technique t = (region r, product p, variant k) in that nesting order
    tech_region = np.repeat(np.arange(R, dtype=np.int64), P * K)
    tech_product = np.tile(np.repeat(np.arange(P, dtype=np.int64), K), R)
    tech_ids = _ids("t", T)

    # D distinct other products per technique: sorted draws spread apart, offset from own
    if D:
        draws = np.sort(rng.integers(1, P - D + 1, size=(T, D), dtype=np.int64), axis=1)
        offsets = draws + np.arange(D, dtype=np.int64)
        used_product = (tech_product[:, None] + offsets) % P
        weights = rng.random((T, D)) + 0.05
        total = rng.uniform(0.3, 0.6, size=T)
        coefficient = weights / weights.sum(axis=1, keepdims=True) * total[:, None]
    else:
        used_product = np.zeros((T, 0), dtype=np.int64)
        coefficient = np.zeros((T, 0))
    need = rng.uniform(0.1, 1.0, size=(T, F))

    # targets on about half of the region-product pairs
    targeted = rng.random(R * P) < 0.5
    if not targeted.any():
        targeted[0] = True
    pair = np.flatnonzero(targeted)
    target_amount = np.round(rng.uniform(1.0, 10.0, size=len(pair)), 3)

    supply, reference = _reference_supply(rng, R, P, K, F, tech_product, used_product,
                                          coefficient, need, pair, target_amount)

    # links: ring both ways plus R random chords both ways
    origin, destination = _links(rng, R)
    loss = np.round(rng.uniform(0.01, 0.08, size=len(origin)), 4)

    input_ids = pa.concat_arrays([product_ids.take(pa.array(used_product.ravel())),
                                  factor_ids.take(pa.array(np.tile(np.arange(F), T)))])
    input_tech = np.concatenate([np.repeat(np.arange(T), D), np.repeat(np.arange(T), F)])
    tables = {
        "products": pd.DataFrame({"product": _col(product_ids),
                                  "tradable": np.ones(P, dtype=bool)}),
        "regions": pd.DataFrame({"region": _col(region_ids)}),
        "factors": pd.DataFrame({"factor": _col(factor_ids)}),
        "techniques": pd.DataFrame({"technique": _col(tech_ids),
                                    "region": _col(region_ids.take(pa.array(tech_region))),
                                    "product": _col(product_ids.take(pa.array(tech_product)))}),
        "inputs": pd.DataFrame({"technique": _col(tech_ids.take(pa.array(input_tech))),
                                "input": _col(input_ids),
                                "amount": np.concatenate([np.round(coefficient.ravel(), 6),
                                                          np.round(need.ravel(), 6)])}),
        "supplies": pd.DataFrame({
            "region": _col(region_ids.take(pa.array(np.repeat(np.arange(R), F)))),
            "factor": _col(factor_ids.take(pa.array(np.tile(np.arange(F), R)))),
            "amount": np.round(supply.ravel(), 3)}),
        "targets": pd.DataFrame({"region": _col(region_ids.take(pa.array(pair // P))),
                                 "product": _col(product_ids.take(pa.array(pair % P))),
                                 "amount": target_amount}),
        "links": pd.DataFrame({"origin": _col(region_ids.take(pa.array(origin))),
                               "destination": _col(region_ids.take(pa.array(destination))),
                               "loss": loss}),
    }
    if spec.capital:
        tables["capital"] = _capital(rng, spec, tech_region, tech_product, reference,
                                     product_ids, tech_ids)
        tables["growth"] = pd.DataFrame({
            "region": tables["supplies"]["region"], "factor": tables["supplies"]["factor"],
            "rate": np.round(rng.uniform(0.0, 0.04, size=R * F), 4)})
    return tables


def _capital(rng: np.random.Generator, spec: GeneratorSpec, tech_region: np.ndarray,
             tech_product: np.ndarray, reference: np.ndarray, product_ids: pa.Array,
             tech_ids: pa.Array) -> pd.DataFrame:
    """C capital goods per technique (other products), 0.2-1 units per unit of output, with
    a first-year stock of 40-90% of what the reference plan needs (so that stock must be
    built up to meet the targets) and 2-15% wear a year."""
    P, C = spec.products, min(spec.capital, spec.products - 1)
    T = len(tech_product)
    draws = np.sort(rng.integers(1, P - C + 1, size=(T, C), dtype=np.int64), axis=1)
    good = ((tech_product[:, None] + draws + np.arange(C, dtype=np.int64)) % P).ravel()
    tech = np.repeat(np.arange(T), C)
    amount = np.round(rng.uniform(0.2, 1.0, size=len(tech)), 4)
    stock = np.round(amount * reference[tech] * rng.uniform(0.4, 0.9, size=len(tech)), 4)
    return pd.DataFrame({"technique": _col(tech_ids.take(pa.array(tech))),
                         "good": _col(product_ids.take(pa.array(good))),
                         "amount": amount, "stock": stock,
                         "depreciation": np.round(rng.uniform(0.02, 0.15, size=len(tech)), 4)})


def _col(array: pa.Array) -> pd.Series:
    return text_series(array)


def _reference_supply(rng: np.random.Generator, R: int, P: int, K: int, F: int,
                      tech_product: np.ndarray, used_product: np.ndarray,
                      coefficient: np.ndarray, need: np.ndarray, pair: np.ndarray,
                      amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, F) supplies: the factor use of a no-trade plan with variant 0 everywhere,
    scaled by U(0.5, 1.0), and (T,) that plan's level of every technique (variant 0 of each
    product and region; the others get the same level). Gross outputs by Neumann series
    (column sums <= 0.6)."""
    T = len(tech_product)
    first = np.flatnonzero(np.arange(T) % K == 0)  # variant 0 of each (region, product)
    n = R * P  # row/col index = region * P + product
    region_of = first // (P * K)
    D = used_product.shape[1]
    rows = (region_of[:, None] * P + used_product[first]).ravel()
    cols = np.repeat(region_of * P + tech_product[first], D)
    A = sp.csr_matrix((coefficient[first].ravel(), (rows, cols)), shape=(n, n))
    y = np.zeros(n)
    y[pair] = amount
    x, term = y.copy(), y.copy()
    for _ in range(60):  # 0.6^60 < 1e-13; stops early once the terms vanish
        term = A @ term
        x += term
        if term.max(initial=0.0) <= 1e-9 * x.max(initial=1.0):
            break
    use = np.zeros((R, F))
    for f in range(F):  # a handful of factors
        use[:, f] = np.bincount(region_of, weights=need[first, f] * x, minlength=R)
    level = x[np.arange(T) // K]  # technique t is variant t % K of pair t // K
    return use * rng.uniform(0.5, 1.0, size=(R, F)), level


def _links(rng: np.random.Generator, R: int) -> tuple[np.ndarray, np.ndarray]:
    if R < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ring_a = np.arange(R) if R > 2 else np.array([0])
    ring_b = (ring_a + 1) % R
    a = rng.integers(0, R, size=R)
    b = rng.integers(0, R, size=R)
    pairs = np.concatenate([np.stack([ring_a, ring_b], 1), np.stack([a, b], 1)])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs = np.sort(pairs, axis=1)
    pairs = np.unique(pairs, axis=0)
    origin = np.concatenate([pairs[:, 0], pairs[:, 1]])
    destination = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return origin, destination


def generate(directory: str | Path, spec: GeneratorSpec, fmt: str = "csv", *,
             force: bool = False) -> Path:
    """Write a synthetic economy to ``directory``, whole or not at all (see
    :mod:`sovnarkhoz.output`; an earlier scenario or output of ours is replaced, anything
    else only with ``force``). Returns the directory."""
    directory = Path(directory)
    tables = generate_tables(spec)
    with staged_folder(directory, "generate", force=force) as staging:
        (staging / "scenario.toml").write_text(toml_text({
            "scenario": {"name": spec.name,
                         "description": "synthetic economy made by sovnarkhoz generate"},
            "generator": {"products": spec.products, "regions": spec.regions,
                          "techniques": spec.techniques, "inputs": spec.inputs,
                          "factors": spec.factors, "seed": spec.seed, "years": spec.years,
                          "capital": spec.capital},
            **({"horizon": spec.horizon} if spec.horizon else {}),
            **scenario_marker("generate"),
        }), encoding="utf-8")
        for name, frame in tables.items():
            write_frame(frame, staging / name, fmt)
    return directory
