"""``PointsClassifier``: whole points as a scikit-learn estimator.

It wraps :func:`fit_points` (sign-constrained, whole points chosen by
cross-validation), so it plugs into ``Pipeline``, ``cross_val_score`` and
``GridSearchCV``, and its fitted points become a weightings file the
``Screener`` uses (:meth:`PointsClassifier.to_weights`).

This module imports scikit-learn, an optional dependency (the ``research``
extra): ``efh_screen.validation`` imports it only when ``PointsClassifier``
is first asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._errors import ValidationInputError
from .._features import INDICATORS
from .._weights import Weights
from ._checks import ESTIMATOR_CLASSES, ESTIMATOR_NOT_BINARY, ESTIMATOR_UNKNOWN_KEYS
from ._fitting import FittedPoints, fit_points
from ._frames import import_optional

import_optional("sklearn", what="PointsClassifier")

from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402
from sklearn.utils.multiclass import check_classification_targets  # noqa: E402
from sklearn.utils.validation import check_is_fitted, validate_data  # noqa: E402

__all__ = ["PointsClassifier"]

_F = npt.NDArray[np.float64]


class PointsClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Whole points per indicator, fitted as a scikit-learn classifier.

    Risk indicators may only add points and protective ones only take them
    away; the screening score is the sum of points, floored at 0 (as the
    ``Screener`` counts it). A logistic mapping from the screening score to
    an outcome rate gives ``predict_proba`` and ``decision_function``.
    Fitting calls :func:`efh_screen.validation.fit_points`.

    Parameters
    ----------
    protective : sequence of bool or of str, optional
        Which columns are protective (points <= 0): one bool per column, or
        the names of the protective columns. By default, for columns named
        by indicator keys, the catalogue's choice; otherwise none.
    max_points : int, default 5
        Largest points any one indicator may carry (1 to 10).
    max_indicators : int, optional
        Most indicators with non-zero points.
    folds : int, default 5
        Cross-validation folds for choosing the scale (fewer when a class
        has fewer young people than folds).
    binarize : None, float or "median", default None
        How X becomes 0/1 indicators. None: X must already hold only 0 and 1
        (anything else is an error). A number: values above it count as 1.
        ``"median"``: each column is cut at its training median (values
        above it count as 1), kept in ``cuts_``.
    bands : mapping of str to int, optional
        Lowest score of named bands of the base weightings (e.g.
        ``{"consider_review": 3, "priority_review": 6}``), used by
        :meth:`to_weights`; bands not named keep their lowest score.
    random_state : int or numpy.random.Generator, default 0
        For the fold assignment.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two classes; the second is the outcome.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``fit`` was given a DataFrame with string names.
    points_ : ndarray of shape (n_features_in_,)
        Whole points per column.
    intercept_, slope_ : float
        Logistic mapping from the screening score to an outcome rate.
    cuts_ : ndarray of shape (n_features_in_,)
        Value above which a column counts as 1 (NaN when X was 0/1).
    fitted_points_ : FittedPoints
        Everything :func:`fit_points` returned (cross-validated AUROC, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from efh_screen.validation import PointsClassifier
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, size=(2000, 3))
    >>> y = (rng.random(2000) < 1 / (1 + np.exp(-(-2 + 1.5 * x[:, 0] + 0.8 * x[:, 1])))).astype(int)
    >>> model = PointsClassifier(max_points=3).fit(x, y)
    >>> model.points_.tolist()
    [2, 1, 0]
    """

    def __init__(
        self,
        *,
        protective: Sequence[bool] | Sequence[str] | None = None,
        max_points: int = 5,
        max_indicators: int | None = None,
        folds: int = 5,
        binarize: float | str | None = None,
        bands: Mapping[str, int] | None = None,
        random_state: int | np.random.Generator = 0,
    ) -> None:
        self.protective = protective
        self.max_points = max_points
        self.max_indicators = max_indicators
        self.folds = folds
        self.binarize = binarize
        self.bands = bands
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        """Tell scikit-learn's checks what this classifier is.

        Binary only (``multi_class=False``). ``poor_score=True``: scikit-learn's
        checks train on continuous blobs, which whole points can see only
        after ``binarize``, so they need not reach the accuracy those checks
        expect of a classifier on raw features.
        """
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.classifier_tags.poor_score = True
        return tags

    def fit(self, X: Any, y: Any) -> PointsClassifier:
        """Learn whole points from indicators and outcomes.

        Parameters
        ----------
        X : array-like of shape (n_young_people, n_indicators)
            Indicators (0/1 unless ``binarize`` is set).
        y : array-like of shape (n_young_people,)
            Two classes; the larger (in sorted order) is the outcome.

        Returns
        -------
        PointsClassifier
            This estimator, fitted.

        Raises
        ------
        ValueError
            If X is not 0/1 without ``binarize``, or y has not two classes.
        """
        x, target = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(target)
        self.classes_, outcomes = np.unique(target, return_inverse=True)
        if self.classes_.shape[0] != 2:
            raise ValidationInputError(ESTIMATOR_CLASSES.format(count=self.classes_.shape[0]))
        self.cuts_ = self._cuts(x)
        indicators = self._indicators(x)
        keys = self._keys()
        smallest = int(np.bincount(outcomes).min())
        self.fitted_points_: FittedPoints = fit_points(
            indicators,
            outcomes,
            keys=keys,
            protective=self._protective(keys),
            max_points=self.max_points,
            max_indicators=self.max_indicators,
            folds=max(2, min(self.folds, smallest)),
            seed=self.random_state,
        )
        self.points_ = self.fitted_points_.points
        self.intercept_ = self.fitted_points_.intercept
        self.slope_ = self.fitted_points_.slope
        return self

    def _keys(self) -> tuple[str, ...]:
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return tuple(str(name) for name in names)
        return tuple(f"x{j}" for j in range(self.n_features_in_))

    def _protective(self, keys: tuple[str, ...]) -> list[bool]:
        """One bool per column: given, named, or the catalogue's for indicator keys."""
        if self.protective is None:
            catalogue = {indicator.key: indicator.protective for indicator in INDICATORS}
            return [catalogue.get(key, False) for key in keys]
        given = list(self.protective)
        if given and all(isinstance(item, str) for item in given):
            return [key in given for key in keys]
        return [bool(item) for item in given]

    def _cuts(self, x: _F) -> _F:
        if self.binarize is None:
            return np.full(x.shape[1], np.nan)
        if isinstance(self.binarize, str):
            if self.binarize != "median":
                raise ValidationInputError(
                    f"binarize must be None, a number or 'median'; got {self.binarize!r}"
                )
            return np.asarray(np.median(x, axis=0), dtype=np.float64)
        return np.full(x.shape[1], float(self.binarize))

    def _indicators(self, x: _F) -> _F:
        """Return X as 0/1 indicators, cut as fitted, or refuse values other than 0 and 1."""
        if self.binarize is None:
            other = int(np.count_nonzero((x != 0) & (x != 1)))
            if other:
                raise ValidationInputError(ESTIMATOR_NOT_BINARY.format(count=other))
            return x
        return (x > self.cuts_).astype(np.float64)

    def screening_score(self, X: Any) -> npt.NDArray[np.int64]:
        """Return the screening score: points summed, floored at 0.

        Parameters
        ----------
        X : array-like of shape (n_young_people, n_indicators)

        Returns
        -------
        ndarray of shape (n_young_people,)
        """
        check_is_fitted(self)
        x = validate_data(self, X, dtype=np.float64, reset=False)
        return self.fitted_points_.score(self._indicators(x))

    def decision_function(self, X: Any) -> _F:
        """Return the log-odds of the outcome the screening score maps to.

        Parameters
        ----------
        X : array-like of shape (n_young_people, n_indicators)

        Returns
        -------
        ndarray of shape (n_young_people,)
            Positive where the mapped outcome rate is above one half.
        """
        score = self.screening_score(X).astype(np.float64)
        return np.asarray(self.intercept_ + self.slope_ * score, dtype=np.float64)

    def predict_proba(self, X: Any) -> _F:
        """Return the outcome rate the screening score maps to, per class.

        Parameters
        ----------
        X : array-like of shape (n_young_people, n_indicators)

        Returns
        -------
        ndarray of shape (n_young_people, 2)
            Columns in the order of ``classes_``.
        """
        rate = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - rate, rate])

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """Return the class whose mapped outcome rate is above one half.

        For screening, flag by the score instead: ``screening_score(X) >=
        threshold``, with the threshold chosen for the review capacity.

        Parameters
        ----------
        X : array-like of shape (n_young_people, n_indicators)

        Returns
        -------
        ndarray of shape (n_young_people,)
        """
        positive = self.decision_function(X) > 0
        return np.asarray(self.classes_[positive.astype(np.intp)])

    def to_weights(
        self,
        base: Weights | None = None,
        *,
        fitted_on: dt.date,
        keys: Sequence[str] | None = None,
        name: str | None = None,
        version: str | None = None,
    ) -> Weights:
        """Return a weightings file with the fitted points, for the ``Screener``.

        Parameters
        ----------
        base : Weights, optional
            Weightings whose bands, overrides and windows are kept (default:
            the embedded weightings). Its indicators that were not columns
            get 0 points.
        fitted_on : datetime.date
            Date recorded in the provenance (nothing reads the clock).
        keys : sequence of str, optional
            Indicator key of each column (default: the DataFrame's column names).
        name, version : str, optional
            Of the new weightings.

        Returns
        -------
        Weights
            Status ``"fitted"``; validate on a separate cohort before use.

        Raises
        ------
        ValidationInputError
            If a column is not an indicator key.
        """
        check_is_fitted(self)
        base = base or Weights.default()
        columns = tuple(keys) if keys is not None else self._keys()
        known = {indicator.key for indicator in INDICATORS}
        unknown = [key for key in columns if key not in known]
        if unknown or len(columns) != self.points_.shape[0]:
            raise ValidationInputError(ESTIMATOR_UNKNOWN_KEYS.format(keys=", ".join(unknown)))
        return Weights.model_validate(
            self._weights_data(base, columns, fitted_on=fitted_on, name=name, version=version)
        )

    def _weights_data(
        self,
        base: Weights,
        columns: tuple[str, ...],
        *,
        fitted_on: dt.date,
        name: str | None,
        version: str | None,
    ) -> dict[str, Any]:
        """Return the base weightings' data with the fitted points, bands and provenance."""
        rationale = (
            "Fitted with PointsClassifier; cross-validated AUROC of the whole-point score "
            f"{self.fitted_points_.cv_auroc[self.fitted_points_.max_points]:.3f}. "
            "Not yet validated on a separate cohort."
        )
        fitted = dict(zip(columns, self.points_.tolist(), strict=True))
        points = {
            key: {"points": int(fitted.get(key, 0)), "rationale": rationale, "evidence": []}
            for key in dict.fromkeys([*base.points, *columns])
            if fitted.get(key, 0) != 0 or key in base.points
        }
        bands = [band.model_dump(mode="json") for band in base.bands]
        for band in bands:
            band["min_score"] = int((self.bands or {}).get(band["key"], band["min_score"]))
        data = base.model_dump(mode="json")
        data.update(
            name=name or f"{base.name} (fitted)"[:100],
            version=version or f"{base.version}+fit.{fitted_on.isoformat()}"[:40],
            status="fitted",
            points=points,
            bands=bands,
            protective_cap=min(100, int(-sum(p for p in self.points_.tolist() if p < 0))),
            provenance={
                "method": "PointsClassifier",
                "fitted_on": fitted_on.isoformat(),
                "fit": self.fitted_points_.to_dict(),
                "base": base.stamp.model_dump(mode="json"),
            },
        )
        return data
