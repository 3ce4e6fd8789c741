"""Online event clustering: each report joins the most similar active story, or starts a new one.

Items arrive in order and are assigned once. Candidates come from an inverted index over the terms of
stories active within the time window, so the cost per item follows the active window, not the
archive. Two signals decide:

- lexical: cosine between the item's TF-IDF vector (stemmed terms folded across scripts, document
  frequencies over the window) and the story's centroid. Precise and cheap; it decides alone when the
  wording is clearly the same (a repost, the same wire copy) or when nothing is shared at all.
- a source's own boilerplate (a channel's signature, "Subscribe | Send us news", a header, a feed's
  "appeared first on") is not evidence: lines a source keeps repeating within the window are left out
  of its next reports, or every post of a channel would join one story through its footer.
- dates: a story whose written-out dates are all days from the item's does not take it, however alike
  the words (the forecast for 8 November is not the one for 16 November).
- sources: a story that has a report of the item's source does not take another of its reports that
  shares little with that one: a source seldom reports one event twice, and its template makes all
  its reports look alike.
- titles: a story whose titles in the item's language that name anyone each name someone or somewhere
  the item does not mention does not take an item whose title names someone or somewhere the story does
  not mention: the same template about another city, another match, another singer; two people's words
  on one event.
- a fitted scorer (the default, `ClusterSettings(learned=True)`): instead of the thresholds, named features of
  each (report, candidate story) pair (features, the rules' score over their threshold among them) are weighed by
  a model fitted on labelled news (monitor/data/scorer.json, benchmarks/train_scorer.py), and the most likely
  candidate that none of the three rules above turns down joins if likely enough. `learned=False`: the
  thresholds decide (and embeddings, below).
- meaning: when an `embed` function is given (multilingual sentence embeddings), items whose best
  candidates share some terms but not enough are embedded, and the mean cosine to each candidate's
  embedded members is blended in. Embedding is the slow part, so it is only done where it decides.

State is a function of the items added, in order. After a restart, `restore` puts back each report of
the stories still active, in the order they were added, with the story, TF-IDF vector, language, text
length and dates stored for it: that rebuilds the same window without replaying everything since the
oldest of them began.

Modules: settings (what the clusterer is told and answers), words (a report's words, read once), names
(whom a title names), window (document frequencies and each source's lines over the window), story (a
story and how a report compares with it), features (what a report and a candidate story have in common, and the
scorer that weighs it), clusterer (the Clusterer, which decides).
"""

from monitor.core.clustering.clusterer import Clusterer, Decision
from monitor.core.clustering.features import FEATURES, Scorer, ScorerError, default_scorer, scorer_from
from monitor.core.clustering.names import key_string, keys_of, name_key, title_names_of, unmentioned, unmentioned_by
from monitor.core.clustering.settings import (
    RULES_THRESHOLDS,
    TEXT_CHARS,
    Assignment,
    ClusterSettings,
    Embed,
    Report,
    Vector,
)
from monitor.core.clustering.words import embed_text, item_terms

__all__ = [
    "FEATURES", "RULES_THRESHOLDS", "TEXT_CHARS", "Assignment", "ClusterSettings", "Clusterer", "Decision", "Embed",
    "Report", "Scorer", "ScorerError", "Vector", "default_scorer", "embed_text", "item_terms", "key_string",
    "keys_of", "name_key", "scorer_from", "title_names_of", "unmentioned", "unmentioned_by",
]
