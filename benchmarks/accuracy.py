"""Accuracy of autodm beside a plain TF-IDF character n-gram + logistic regression peer.

    python benchmarks/accuracy.py [--data ../shared/data] [--unseen-sources] [--unseen-families]
                                  [--fold-seeds 0,1,2] [--unseen-seed N]

Both models are trained and scored with the same sender-grouped 5-fold split of
the development corpora plus autodm's own training texts (the rows of
training/devdata.py: one sender's messages never straddle folds). Figures are
computed on the real messages only. For each, it prints ROC-AUC, recall at 1 % pooled false
positives, and recall with the false-positive rate held at 0.5 % on every human
source separately, then recall or false-positive rate per source at that
threshold, then recall at the target of the bundled model's default threshold
(``target_fpr`` in training/devdata.py). Then autodm's calibration, the peer's figures,
the share of the real hard negatives (human DM-like messages with a link, thanks, an
invitation or a request) that each model flags beside the rest of their corpora, and the
share of autodm's own human lines in 26 languages other than English that each flags, out
of fold. Last, 95 % intervals of the headline figures of both models, of their difference
and of autodm's default threshold (``threshold``: just above the highest scores; ``tail``:
read from each source's tail, as ``train`` reads the bundle's, with its recall ``r@tail``),
from 1,000 draws of the groups (a group's messages drawn together; the auto-DMs' groups as
one stratum, each human source's apart; the thresholds chosen again on each draw):
percentile, basic and BCa intervals beside the draws' median, since they disagree here.
Needs ../shared/data; says so and exits 2 without it.

``--unseen-sources`` adds what the fold figures cannot show: how the model does on a
kind of human text it has never seen. For each human source in turn, the bundled
recipe is trained without that source (its threshold chosen on the others, as the
shipped model's is), and the source's messages are then scored at that model's own
threshold. The false-positive rate there is the one to expect on a new kind of human
text; the recall beside it is the out-of-fold recall of that model. A second table sweeps
the default's target over each left-out model: what each target would give on a source
never seen, which is how the bundled default's target is chosen. ``--unseen-seed N``
sets the left-out models' thresholds on the fold splits of seed N (default 0), to see
how far the folds alone move the left-out rates.

``--unseen-families`` does the same for auto-DMs: for each of the two families with
enough real messages, every auto-DM of the family (real, rendered from the bank, or
from autodm's own corpus) is left out of training, and the family's real messages
are scored by the model trained without them. The template bank and the
call-to-action lexicons still describe the family: the figure is how far autodm's
hand-written knowledge carries a kind of auto-DM it has no training message of.

``--fold-seeds`` adds the headline figures of both models on the folds of other shuffles
(the seeds of ``StratifiedGroupKFold``; the report above is on the first). A few dozen
sender groups of auto-DMs decide them, so which groups share a fold moves them, and adding
training rows reshuffles the folds: judge a change by all the seeds, not by one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

import devdata  # noqa: E402
from experiment import (  # noqa: E402
    REAL,
    bca_interval,
    group_bootstrap,
    group_jackknife,
    reliability,
)

import autodm._fitting as fitting  # noqa: E402
import autodm._training as training  # noqa: E402


def peer_model():
    """TF-IDF char_wb (2, 5) + class-balanced logistic regression, untrained."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000),
    )


def peer_scores(texts, y, weights, folds):
    """Out-of-fold P(automated) of the peer (thresholds are searched in [0, 1])."""
    texts = np.asarray(texts, dtype=object)
    oof = np.zeros(len(texts))
    for train, test in folds:
        model = peer_model()
        model.fit(texts[train], y[train], logisticregression__sample_weight=weights[train])
        oof[test] = model.predict_proba(texts[test])[:, 1]
    return oof


#: The target of the bundled model's default threshold (``target_fpr`` in training/devdata.py).
TARGET = float(devdata.TRAIN_OPTIONS.get("target_fpr", 0.005))  # type: ignore[arg-type]


def headline(scores, y, sources) -> tuple[float, float, float, float]:
    """ROC-AUC, recall at 1 % pooled FPR, at 0.5 % and at the default's target on every
    source: on the real messages only."""
    real = np.isin(sources, REAL)
    return _figures(scores[real], y[real], sources[real])[:4]


def log_odds(probabilities):
    """Log-odds of probabilities, clipped short of 0 and 1: what ``_threshold_for`` fits
    each source's tail to, as ``train`` fits the calibrated log-odds."""
    clipped = np.clip(probabilities, 1e-15, 1 - 1e-15)
    return np.log(clipped / (1 - clipped))


def _figures(scores, y, sources) -> tuple[float, ...]:
    """:func:`headline` of messages already all real, the default's threshold, and that
    threshold read from each source's tail as ``train`` reads it, with its recall."""
    cuts = (
        fitting._threshold_for(scores, y, 0.01),
        fitting._threshold_for(scores, y, 0.005, sources),
        fitting._threshold_for(scores, y, TARGET, sources),
        fitting._threshold_for(scores, y, TARGET, sources, log_odds(scores)),
    )
    recalls = [float(np.mean(scores[y == 1] >= cut)) for cut in cuts]
    return (fitting._auc(scores, y), *recalls[:3], cuts[2], recalls[3], cuts[3])


def recipe_scores(texts, y, groups, weights, sources, bank_ids, seed=0):
    """The bundled recipe's out-of-fold P(automated) on the folds of ``seed`` (its first
    split; the thresholds of its bundle pool more)."""
    _, scores = training.train_with_scores(
        texts,
        y,
        groups=list(groups),
        sources=list(sources),
        sample_weight=list(weights),
        bank_ids=bank_ids,
        **{**devdata.TRAIN_OPTIONS, "random_state": seed},
    )
    return scores


def fold_seeds(seeds, texts, y, groups, weights, sources, bank_ids, first) -> None:
    """The headline figures of both models on the folds of each seed, and their mean.
    ``first`` holds both models' out-of-fold scores on the folds of seed 0, already made."""
    from sklearn.model_selection import StratifiedGroupKFold

    def cells(figures) -> str:
        auc, *recalls = figures
        return f"{auc:>9.4f}" + "".join(f"{recall:>8.3f}" for recall in recalls)

    columns = f"{'ROC-AUC':>9}{'r@1%':>8}{'r@0.5%':>8}{'r@dflt':>8}"
    print("\nOn the folds of each seed (real messages, out of fold; recall at 1 % pooled, at")
    print("0.5 % and at the default's target on every source)")
    print(f"  {'':<10}{'autodm':<33}|  peer")
    print(f"  {'':<10}{columns}  |{columns}")
    table: dict[str, list[tuple[float, ...]]] = {"autodm": [], "peer": []}
    for seed in seeds:
        if seed == 0:
            ours, peer = first
        else:
            ours = recipe_scores(texts, y, groups, weights, sources, bank_ids, seed)
            folds = StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(texts, y, groups)
            peer = peer_scores(texts, y, weights, list(folds))
        table["autodm"].append(headline(ours, y, sources))
        table["peer"].append(headline(peer, y, sources))
        print(
            f"  seed {seed:<5}{cells(table['autodm'][-1])}  |{cells(table['peer'][-1])}", flush=True
        )
    mean = {name: np.mean(rows, axis=0) for name, rows in table.items()}
    print(f"  {'mean':<10}{cells(mean['autodm'])}  |{cells(mean['peer'])}")


def intervals(ours, peer, y, sources, groups, resamples=1000) -> None:
    """95 % intervals of the headline figures of both models, of their difference and of
    autodm's default threshold, from ``resamples`` draws of the real messages' groups
    (experiment.group_bootstrap: the auto-DMs' groups drawn together, each human source's
    apart; the thresholds chosen again on each draw).

    Printed beside each point: the draws' median, the percentile interval, the basic
    one (the percentiles reflected about the point) and the BCa one (the percentiles
    corrected for the draws' bias and for the skew of the figures with each group left out;
    experiment.bca_interval). They disagree where the draws lean to one side of the point,
    as they do here: a draw that repeats a source's highest human messages sets a stricter
    threshold, and one group holds half the real auto-DMs.
    """
    real = np.isin(sources, REAL)
    y, sources, groups = y[real], sources[real], groups[real]
    strata = np.where(y == 1, "automated", sources)
    scores = {"autodm": ours[real], "peer": peer[real]}
    options = {"resamples": resamples, "strata": strata}
    draws = group_bootstrap(_figures, scores, y, sources, groups, **options)
    left = group_jackknife(_figures, scores, y, sources, groups)
    points = {name: np.array(_figures(values, y, sources)) for name, values in scores.items()}
    for got in (draws, left, points):
        got["autodm - peer"] = got["autodm"] - got["peer"]
    print(
        f"\n95 % intervals over {resamples:,} draws of the groups (real messages, out of fold;"
        "\nthe auto-DMs' groups drawn together, each human source's apart; thresholds chosen"
        "\nagain on each draw): the point, the draws' median, the percentile interval, the"
        "\nbasic one (the percentiles reflected about the point) and the BCa one"
    )
    names = ("ROC-AUC", "r@1%", "r@0.5%", "r@dflt", "threshold", "r@tail", "tail")
    print(f"    {'':<10}{'point':>9}{'median':>9}   {'percentile':<20}   {'basic':<20}   BCa")
    for model, rows in draws.items():
        print(f"  {model}")
        low, median, high = np.percentile(rows, [2.5, 50, 97.5], axis=0)
        corrected = bca_interval(points[model], rows, left[model])
        floor = -1.0 if model == "autodm - peer" else 0.0
        sign = "+" if model == "autodm - peer" else ""
        for k, name in enumerate(names):
            if model == "autodm - peer" and name in ("threshold", "tail"):
                continue
            point = points[model][k]
            basic = (max(floor, 2 * point - high[k]), min(1.0, 2 * point - low[k]))
            bounds = [(low[k], high[k]), basic, (corrected[0][k], corrected[1][k])]
            print(
                f"    {name:<10}{point:>{sign}9.4f}{median[k]:>{sign}9.4f}"
                + "".join(f"   [{a:{sign}.4f}, {b:{sign}.4f}]" for a, b in bounds)
            )


def report(name, scores, y, sources):
    """Figures on real messages only; autodm's own training texts are not measured."""
    real = np.isin(sources, REAL)
    scores, y, sources = scores[real], y[real], sources[real]
    human_sources = sorted(set(sources[y == 0]))
    auc = fitting._auc(scores, y)
    pooled = fitting._threshold_for(scores, y, 0.01)
    strict = fitting._threshold_for(scores, y, 0.005, sources)
    print(f"\n{name}")
    print(f"  ROC-AUC                                   {auc:.4f}")
    print(f"  recall at 1 % pooled false positives      {np.mean(scores[y == 1] >= pooled):.4f}")
    print(f"  recall at <= 0.5 % FPR on every source    {np.mean(scores[y == 1] >= strict):.4f}")
    for source in sorted(set(sources)):
        mask = sources == source
        rate = float(np.mean(scores[mask] >= strict))
        kind = "FPR" if source in human_sources else "recall"
        print(f"    {source:<28} n={mask.sum():>5}  {kind:<6} {rate:.4f}")
    # The bundled model's default threshold target (training/devdata.py), under 0.5 %.
    margin = fitting._threshold_for(scores, y, TARGET, sources)
    fprs = " / ".join(f"{100 * np.mean(scores[sources == s] >= margin):.2f}" for s in human_sources)
    print(
        f"  recall at <= {100 * TARGET:.1f} % FPR on every source    "
        f"{np.mean(scores[y == 1] >= margin):.4f}  (FPR % {fprs})"
    )


def trained_without(left_out, texts, y, groups, weights, sources, bank_ids, scored=None, seed=0):
    """The bundled recipe trained without the ``left_out`` rows, its thresholds set on the
    fold splits of ``seed``: its bundle, its out-of-fold probabilities on the rows it kept,
    and its probabilities on the ``scored`` rows (by default the left-out ones)."""
    import autodm

    kept = ~left_out
    bundle, probabilities = training.train_with_scores(
        list(texts[kept]),
        y[kept],
        groups=list(groups[kept]),
        sources=list(sources[kept]),
        sample_weight=list(weights[kept]),
        bank_ids=list(bank_ids[kept]),
        **{**devdata.TRAIN_OPTIONS, "random_state": seed},
    )
    scored = left_out if scored is None else scored
    detector = autodm.Detector(bundle)
    unseen = np.array([v.probability for v in detector.classify_many(list(texts[scored]))])
    return bundle, probabilities, unseen


def peer_trained_on(kept, texts, y, groups, weights, sources):
    """The peer trained on the ``kept`` rows; its threshold for the bundled default's target,
    from its out-of-fold scores on the real messages among them (each source's tail fitted
    where it can be, as ``train`` sets autodm's); and those scores."""
    from sklearn.model_selection import StratifiedGroupKFold

    real = np.isin(sources, REAL)[kept]
    folds = StratifiedGroupKFold(5, shuffle=True, random_state=0).split(
        texts[kept], y[kept], groups[kept]
    )
    oof = peer_scores(texts[kept], y[kept], weights[kept], list(folds))
    # Read from each source's tail, as autodm's thresholds are (the peer's log-odds).
    threshold = fitting._threshold_for(
        oof[real], y[kept][real], TARGET, sources[kept][real], log_odds(oof[real])
    )
    peer = peer_model().fit(texts[kept], y[kept], logisticregression__sample_weight=weights[kept])
    return peer, threshold, oof


#: Targets of the default threshold that --unseen-sources tries on each left-out model.
SWEEP = (0.004, 0.003, 0.0025, 0.002, 0.001)


def exact_interval(flagged: int, messages: int, level: float = 0.95) -> tuple[float, float]:
    """The Clopper-Pearson interval of a rate of ``flagged`` in ``messages``: what a rate
    measured on so many messages allows (0 of 580 flagged still allows 0.63 %)."""
    from scipy.stats import beta

    tail = (1.0 - level) / 2
    low = beta.ppf(tail, flagged, messages - flagged + 1) if flagged else 0.0
    high = beta.ppf(1 - tail, flagged + 1, messages - flagged) if flagged < messages else 1.0
    return float(low), float(high)


def unseen_sources(texts, y, groups, weights, sources, bank_ids, origins, seed=0) -> None:
    """False positives on each human source when the models are trained without it (and
    without the rows made from it: ``origins``, devdata.Row.origin).

    autodm is scored at its default threshold and its ``strict`` preset, set on the fold
    splits of ``seed``; the peer at the threshold its own out-of-fold scores (seed 0's
    folds) give for the default's target on the sources it was trained on.
    """

    texts = np.asarray(texts, dtype=object)
    bank_ids = np.asarray(bank_ids, dtype=object)
    automated = np.isin(sources, devdata.REAL_AUTOMATED_SOURCES) & (y == 1)
    print("\nOn a kind of human text never seen in training (each source left out in turn)")
    print(f"  {'':<37}{'autodm default':>16}{'autodm strict':>16}{'peer':>16}")
    print(
        f"  {'left out':<28}{'messages':>9}"
        + f"{'FPR':>8}{'recall':>8}" * 3
        + f"{'default FPR, 95 %':>20}"
    )
    sweep: dict[float, list[tuple[float, float]]] = {}
    for source in devdata.REAL_HUMAN_SOURCES:
        kept = origins != source
        bundle, probabilities, unseen = trained_without(
            ~kept, texts, y, groups, weights, sources, bank_ids, scored=sources == source, seed=seed
        )
        rows: list[tuple[float, float]] = []
        for threshold in (bundle.threshold, bundle.operating_points["strict"]["threshold"]):
            rows.append(
                (
                    float(np.mean(unseen >= threshold)),
                    float(np.mean(probabilities[automated[kept]] >= threshold)),
                )
            )
        peer, threshold, oof = peer_trained_on(kept, texts, y, groups, weights, sources)
        rows.append(
            (
                float(np.mean(peer.predict_proba(texts[sources == source])[:, 1] >= threshold)),
                float(np.mean(oof[automated[kept]] >= threshold)),
            )
        )
        cells = "".join(f"{fpr:>8.2%}{recall:>8.3f}" for fpr, recall in rows)
        low, high = exact_interval(int(np.sum(unseen >= bundle.threshold)), len(unseen))
        span = f"[{low:.2%}, {high:.2%}]"
        print(f"  {source:<28}{int((sources == source).sum()):>9}{cells}{span:>20}")
        real_kept = np.isin(sources[kept], REAL)
        tails = log_odds(probabilities[real_kept])  # each source's tail, as train reads it
        for target in SWEEP:
            threshold = fitting._threshold_for(
                probabilities[real_kept],
                y[kept][real_kept],
                target,
                sources[kept][real_kept],
                tails,
            )
            sweep.setdefault(target, []).append(
                (
                    float(np.mean(unseen >= threshold)),
                    float(np.mean(probabilities[automated[kept]] >= threshold)),
                )
            )
    print(
        "\n  The default's target, swept: each left-out model's threshold for a false-positive"
        "\n  rate on every source it was trained on, read from each source's tail on its first"
        "\n  fold split's scores (the bundle's pools three); that rate on the left-out source"
    )
    print(f"  {'target':<8}" + "".join(f"{s[:10]:>11}" for s in devdata.REAL_HUMAN_SOURCES), end="")
    print(f"{'mean':>8}{'recall':>8}")
    for target, cells in sweep.items():
        fprs = [fpr for fpr, _ in cells]
        line = "".join(f"{fpr:>11.2%}" for fpr in fprs)
        recall = np.mean([r for _, r in cells])
        mark = "  <- default's target" if target == TARGET else ""
        print(f"  {target:<8.2%}{line}{np.mean(fprs):>8.2%}{recall:>8.3f}{mark}")


#: The auto-DM families --unseen-families leaves out in turn: the ``kind`` of the real
#: auto-DMs, and the matching families of the template bank and of the own corpus.
FAMILIES = {
    "follow welcome": ({"follow_welcome"}, {"thanks_follow", "welcome_bot"}),
    "cold outreach": ({"cold_outreach", "cold_outreach_followup"}, {"cold_outreach"}),
}


def unseen_families(texts, y, groups, weights, sources, bank_ids, families, ours) -> None:
    """Recall on each family of :data:`FAMILIES` when no auto-DM of it was trained on.

    Beside it, the out-of-fold recall of the same messages when the family is in training
    (other senders of it are), at the default's target on the first fold split's scores
    (the bundled recipe's threshold pools three splits); and the peer's,
    trained without the family, at the threshold its out-of-fold scores give for the
    default's target.
    """

    texts = np.asarray(texts, dtype=object)
    bank_ids = np.asarray(bank_ids, dtype=object)
    real = np.isin(sources, REAL)
    seen = fitting._threshold_for(ours[real], y[real], TARGET, sources[real])
    print("\nOn a family of auto-DMs never seen in training (each left out in turn; real messages)")
    print(f"  {'':<37}{'in training':>12}{'left out':>26}{'peer':>10}")
    print(f"  {'left out':<28}{'messages':>9}{'default':>12}{'default':>13}{'strict':>13}{'':>10}")
    for name, (kinds, bank_families) in FAMILIES.items():
        held = (y == 1) & np.isin(families, list(kinds | bank_families))
        measured = held & (sources == "auto_dm")
        kept = ~held
        bundle, _, unseen = trained_without(
            held, texts, y, groups, weights, sources, bank_ids, scored=measured
        )
        strict = bundle.operating_points["strict"]["threshold"]
        peer, threshold, _ = peer_trained_on(kept, texts, y, groups, weights, sources)
        peer_recall = np.mean(peer.predict_proba(texts[measured])[:, 1] >= threshold)
        print(
            f"  {name:<28}{int(measured.sum()):>9}{np.mean(ours[measured] >= seen):>12.3f}"
            f"{np.mean(unseen >= bundle.threshold):>13.3f}{np.mean(unseen >= strict):>13.3f}"
            f"{peer_recall:>10.3f}"
        )


def calibration(probabilities, y, sources) -> None:
    """Reliability at equal priors (the prior autodm's probabilities are calibrated for).

    Each class carries half the weight, so a bin's observed rate is the share of
    automated weight in it, and its mean P is weighted the same way, as are the Brier
    score and the expected calibration error (each bin's gap between mean P and observed
    rate, weighed by the bin's share of the weight).
    """
    real = np.isin(sources, REAL)
    brier, error, bins = reliability(probabilities[real], y[real])
    print("\nautodm calibration at equal priors (real messages, out-of-fold)")
    print(f"  Brier score {brier:.4f}")
    print(f"  {'P(automated) bin':<18}{'messages':>9}{'mean P':>9}{'observed':>10}")
    for label, count, mean, observed in bins:
        print(f"  {label:<18}{count:>9}{mean:>9.3f}{observed:>10.3f}")
    print(f"  expected calibration error {error:.4f}")


def flagged_shares(title, subsets, ours, peer, y, sources) -> None:
    """For each named subset of rows (a boolean mask), the share flagged out of fold at
    autodm's three thresholds and the peer's at the default's target, all set on the real
    messages as in :func:`report`."""
    real = np.isin(sources, REAL)

    def cut(scores, fpr):
        return fitting._threshold_for(scores[real], y[real], fpr, sources[real])

    columns = {
        "strict": (ours, cut(ours, training.OPERATING_FPR["strict"])),
        "default": (ours, cut(ours, TARGET)),
        "balanced": (ours, cut(ours, training.OPERATING_FPR["balanced"])),
        "peer": (peer, cut(peer, TARGET)),
    }
    print(f"\n{title} (out of fold; share flagged)")
    print(f"  {'':<28}{'lines':>7}" + "".join(f"{n:>10}" for n in columns))
    for name, chosen in subsets.items():
        if not chosen.any():
            continue
        cells = "".join(f"{np.mean(s[chosen] >= c):>10.2%}" for s, c in columns.values())
        print(f"  {name:<28}{int(chosen.sum()):>7}{cells}")


def hard_negatives(rows, ours, peer, y, sources) -> None:
    """The real human messages most like DMs (``hard_negative`` in human_dm_like_dev.jsonl:
    a link, thanks, an invitation or a request) beside the rest of the same corpora."""
    hard = np.array([r.hard for r in rows])
    names = {"ibm_twitter_cdp_customers": "customer tweets", "ubuntu_irc": "IRC"}
    subsets = {}
    for source in sorted({r.source for r in rows if r.hard}):
        name = names.get(source, source)
        subsets[f"{name}, hard"] = hard & (sources == source)
        subsets[f"{name}, the rest"] = ~hard & (sources == source)
    flagged_shares("Real hard negatives", subsets, ours, peer, y, sources)


def own_languages(ours, peer, y, sources, groups) -> None:
    """The project's own everyday human lines in languages other than English (training/
    own_human_multilingual.jsonl; not the non-English hard negatives of own_corpus.jsonl),
    by kind.

    They are trained on; out of fold, each language's lines of one kind (chat, thanks,
    links, ...) are held out together, while the same kind in other languages may be in
    training. So this is not the rate on unseen text: it says whether a model flags human
    text for being in another language, and which kinds of such text it flags.
    """
    # The multilingual lines' groups are "own:human:<lang>:<kind>" (training/devdata.py).
    parts = [str(g).split(":") for g in groups]
    multilingual = np.array([len(p) == 4 and p[:2] == ["own", "human"] for p in parts])
    foreign = multilingual & (sources == "own_human") & np.array([p[2:3] != ["en"] for p in parts])
    kinds = np.array([p[3] if len(p) == 4 else "" for p in parts])
    languages = {p[2] for p, keep in zip(parts, foreign, strict=True) if keep}
    subsets = {kind: foreign & (kinds == kind) for kind in sorted(set(kinds[foreign]))}
    subsets["all"] = foreign
    title = f"autodm's own everyday human lines in {len(languages)} languages besides English"
    flagged_shares(title, subsets, ours, peer, y, sources)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=devdata.DEFAULT_DATA)
    parser.add_argument(
        "--unseen-sources",
        action="store_true",
        help="also train without each human source in turn and score it (5 more trainings)",
    )
    parser.add_argument(
        "--unseen-families",
        action="store_true",
        help="also train without each of two auto-DM families in turn and score it",
    )
    parser.add_argument(
        "--unseen-seed",
        type=int,
        default=0,
        metavar="N",
        help="with --unseen-sources: set the left-out models' thresholds on the folds of seed N",
    )
    parser.add_argument(
        "--fold-seeds",
        type=lambda text: [int(seed) for seed in text.split(",")],
        default=None,
        metavar="0,1,2",
        help="also give the headline figures of both models on the folds of these seeds",
    )
    args = parser.parse_args()
    if not (args.data / "auto_dm_dev.jsonl").exists():
        print(f"no development data at {args.data}: this benchmark needs it.", file=sys.stderr)
        return 2
    from sklearn.model_selection import StratifiedGroupKFold

    rows = devdata.training_rows(args.data)
    texts = [r.text for r in rows]
    y = np.array([r.label == "automated" for r in rows], dtype=np.int8)
    groups = np.array([devdata.cv_group(r) for r in rows])
    weights = np.array([r.weight for r in rows])
    sources = np.array([r.source for r in rows])
    folds = list(StratifiedGroupKFold(5, shuffle=True, random_state=0).split(texts, y, groups))

    bank_ids = [devdata.bank_id(r) for r in rows]
    ours = recipe_scores(texts, y, groups, weights, sources, bank_ids)
    print(
        f"{len(rows)} training messages, {int(y.sum())} automated; sender-grouped 5-fold CV;"
        " figures on the real messages only"
    )
    report("autodm (bundled recipe)", ours, y, sources)
    calibration(ours, y, sources)
    peer = peer_scores(texts, y, weights, folds)
    report("peer: TF-IDF char_wb 2-5 + logistic regression", peer, y, sources)
    hard_negatives(rows, ours, peer, y, sources)
    own_languages(ours, peer, y, sources, groups)
    intervals(ours, peer, y, sources, groups)
    if args.fold_seeds:
        fold_seeds(args.fold_seeds, texts, y, groups, weights, sources, bank_ids, (ours, peer))
    if args.unseen_sources:
        origins = np.array([r.origin for r in rows])
        unseen_sources(texts, y, groups, weights, sources, bank_ids, origins, args.unseen_seed)
    if args.unseen_families:
        families = np.array([r.family for r in rows])
        unseen_families(texts, y, groups, weights, sources, bank_ids, families, ours)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
