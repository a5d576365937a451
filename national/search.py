"""Full-text search of every force's progress updates and published response sections.

One query language on both databases: words, "quoted phrases", `-word` to leave out and `or`
between alternatives (PostgreSQL's websearch syntax). The text typed is parsed here once into
clauses, so that odd symbols, stop words and unclosed quotes never reach the database raw:

- PostgreSQL: `websearch_to_tsquery('english', ...)` over the stored `search_vector` columns and
  their GIN indexes (migration 0006), ranked by `ts_rank`, with `ts_headline` excerpts.
- SQLite (the embedded default): FTS5 tables kept in step by triggers (migration 0003), with the
  Porter stemmer, ranked by bm25, with `snippet()` excerpts.

Matched words are marked with two private-use characters by the database, and turned into
`<mark>` only after the excerpt has been HTML-escaped, so a force's text can never inject markup.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import Col, Expression, RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from recommendations.models import ProgressUpdate
from responses.models import ResponseSection

MAX_QUERY_LENGTH = 200
MAX_RESULTS = 500  # ranked matches kept per kind; the page says when there were more
RANK_CANDIDATES = 500  # PostgreSQL: most recent matches (from the GIN index) that get ranked
GIN_FUZZY_LIMIT = 20000
PAGE_SIZE = 20
MARK_START, MARK_END = "\ue000", "\ue001"

# PostgreSQL's English stop words (Snowball's list), so that SQLite drops the same words.
STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)
WORD = re.compile(r"\w+", re.UNICODE)
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    words: tuple
    negated: bool = False
    phrase: bool = False
    or_before: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple = ()

    @property
    def searchable(self) -> bool:
        return any(not c.negated for c in self.clauses)

    def websearch(self) -> str:
        """The query in PostgreSQL's websearch syntax (already cleaned)."""
        parts = []
        for clause in self.clauses:
            text = f'"{" ".join(clause.words)}"' if clause.phrase else clause.words[0]
            if clause.or_before and parts:
                parts.append("or")
            parts.append(("-" if clause.negated else "") + text)
        return " ".join(parts)

    def fts5(self) -> str:
        """The query as an FTS5 MATCH expression: AND/OR of phrases, then NOT for each left-out one."""
        expr = ""
        for clause in self.clauses:
            if clause.negated:
                continue
            phrase = '"' + " ".join(clause.words) + '"'
            expr = phrase if not expr else f"{expr} {'OR' if clause.or_before else 'AND'} {phrase}"
        for clause in self.clauses:
            if clause.negated:
                expr = f'({expr}) NOT "{" ".join(clause.words)}"'
        return expr


def parse(q: str) -> ParsedQuery:
    """Words, phrases, `-` and `or`; symbols dropped; stop words dropped outside phrases."""
    clauses, or_next = [], False
    for match in TOKEN.finditer(q[:MAX_QUERY_LENGTH]):
        neg_phrase, phrase, bare = match.groups()
        if phrase is not None:
            words = tuple(w.lower() for w in WORD.findall(phrase) if w.strip("_"))
            if [w for w in words if w not in STOP_WORDS]:
                clauses.append(
                    Clause(words, negated=bool(neg_phrase), phrase=len(words) > 1, or_before=or_next)
                )
                or_next = False
            continue
        if bare.lower() == "or":
            or_next = bool(clauses)
            continue
        negated = bare.startswith("-")
        for word in WORD.findall(bare.lower()):
            if word not in STOP_WORDS and word.strip("_"):
                clauses.append(Clause((word,), negated=negated, or_before=or_next))
                or_next = False
    return ParsedQuery(tuple(clauses))


@dataclass(frozen=True)
class SearchFilters:
    force_id: int | None = None
    inspection_id: int | None = None
    recommendation_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


KINDS = {
    # kind: (model, record recommendation path, date field, most recent first)
    "updates": (ProgressUpdate, "record__recommendation", "dated", ("-dated", "-pk")),
    "responses": (ResponseSection, "recommendation", "version__response__published_on", ("-pk",)),
}
FTS_TABLES = {"updates": "national_update_fts", "responses": "national_section_fts"}


def _base(kind: str, filters: SearchFilters):
    model, rec, dated, _recent = KINDS[kind]
    qs = model.objects.all()
    if kind == "responses":
        qs = qs.filter(version__response__published_version=F("version"))
    q = Q()
    if filters.force_id:
        q &= Q(force_id=filters.force_id)
    if filters.recommendation_id:
        q &= Q(**{f"{rec}_id": filters.recommendation_id})
    if filters.inspection_id:
        q &= Q(**{f"{rec}__inspection_id": filters.inspection_id})
    if filters.date_from:
        q &= Q(**{f"{dated}__gte": filters.date_from})
    if filters.date_to:
        q &= Q(**{f"{dated}__lte": filters.date_to})
    return qs.filter(q).order_by()


def _pg_query(parsed: ParsedQuery):
    return SearchQuery(parsed.websearch(), config="english", search_type="websearch")


class StoredVector(Expression):
    """The row's stored `search_vector` column (PostgreSQL, national migration 0006): the parsed
    text with word positions, so matching a phrase and ranking read it rather than parse the text.
    Resolved to a column of the query's own table, so it works in subqueries (aliased U0) too."""

    output_field = SearchVectorField()

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return Col(query.get_initial_alias(), _vector_column(query.model))


def _vector_column(model) -> SearchVectorField:
    column = _VECTOR_COLUMNS.get(model)
    if column is None:
        column = SearchVectorField()
        column.set_attributes_from_name("search_vector")
        column.model = model
        _VECTOR_COLUMNS[model] = column
    return column


_VECTOR_COLUMNS: dict = {}


def _table_only(kind: str, filters: SearchFilters):
    """The candidate rows from the searched table alone, if every filter is a column of it."""
    model, _rec, dated, _recent = KINDS[kind]
    if filters.inspection_id:
        return None
    if kind == "updates" and filters.recommendation_id:
        return None
    if kind == "responses" and (filters.date_from or filters.date_to):
        return None
    qs = model.objects.order_by()
    if filters.force_id:
        qs = qs.filter(force_id=filters.force_id)
    if kind == "responses" and filters.recommendation_id:
        qs = qs.filter(recommendation_id=filters.recommendation_id)
    if kind == "updates" and filters.date_from:
        qs = qs.filter(dated__gte=filters.date_from)
    if kind == "updates" and filters.date_to:
        qs = qs.filter(dated__lte=filters.date_to)
    return qs


def ranked_ids(kind: str, parsed: ParsedQuery, filters: SearchFilters) -> list[int]:
    """Ids of the matches, best first (at most MAX_RESULTS)."""
    model, _rec, _dated, recent = KINDS[kind]
    base = _base(kind, filters)
    if getattr(settings, "IS_POSTGRES", False):
        query = _pg_query(parsed)
        # Candidates first (the most recent matches, found through the GIN index), then rank only
        # those: ranking reads and parses every row's text, and a common word matches most rows.
        # A join (the published version, an inspection) in the candidate query stops the planner
        # using the GIN index, so candidates come from the table alone whenever the filters allow;
        # the full filters then apply to the candidates.
        # The candidates' ids are read first, as a list, not nested as a subquery: the planner
        # misjudges the published-version join as one row and then ran a nested candidate subquery
        # once per row of the force (2,870 times, 26 s at ten times the national data).
        table_only = _table_only(kind, filters)
        candidates = table_only if table_only is not None else base
        candidates = (
            candidates.annotate(search=StoredVector())
            .filter(search=query)
            .order_by(*recent)
            .values_list("pk", flat=True)
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # A word in a third of a million rows would make the GIN scan return them all; the soft
            # limit samples that many matches instead (exact below the limit).
            cursor.execute(f"SET LOCAL gin_fuzzy_search_limit = {GIN_FUZZY_LIMIT}")
            candidate_ids = list(candidates[:RANK_CANDIDATES])
        if not candidate_ids:
            return []
        ranked = (
            base.filter(pk__in=candidate_ids)
            .annotate(rank=SearchRank(StoredVector(), query))
            .order_by("-rank", *recent)
            .values_list("pk", flat=True)
        )
        return list(ranked[:MAX_RESULTS])
    table = FTS_TABLES[kind]
    expr = parsed.fts5()
    db_table = model._meta.db_table
    # Table names are this module's constants; the user's query only ever goes in as a parameter.
    match_sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
    rank_sql = f"SELECT rank FROM {table} WHERE {table} MATCH %s AND rowid = {db_table}.id"  # noqa: S608
    matched = base.filter(pk__in=RawSQL(match_sql, [expr]))  # noqa: S611
    rank = RawSQL(rank_sql, [expr])  # noqa: S611
    return list(
        matched.annotate(rank=rank).order_by("rank", *recent).values_list("pk", flat=True)[:MAX_RESULTS]
    )


def headlines(kind: str, parsed: ParsedQuery, ids: list[int]) -> dict:
    """id -> HTML-safe excerpt with the matched words in <mark>, for one page of results."""
    if not ids:
        return {}
    model = KINDS[kind][0]
    if getattr(settings, "IS_POSTGRES", False):
        rows = (
            model.objects.filter(pk__in=ids)
            .annotate(
                headline=SearchHeadline(
                    "text",
                    _pg_query(parsed),
                    config="english",
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=40,
                    min_words=20,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("pk", "headline")
        )
    else:
        table = FTS_TABLES[kind]
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet({table}, 0, %s, %s, ' … ', 40) FROM {table} "  # noqa: S608
                f"WHERE {table} MATCH %s AND rowid IN ({marks})",
                [MARK_START, MARK_END, parsed.fts5(), *ids],
            )
            rows = cursor.fetchall()
    return {pk: mark_safe(_marked(text or "")) for pk, text in rows}  # noqa: S308 (escaped first)


def _marked(text: str) -> str:
    return escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


@dataclass
class Hit:
    obj: object
    headline: str


@dataclass
class Results:
    kind: str
    hits: list = field(default_factory=list)
    total: int = 0
    counts: dict = field(default_factory=dict)
    page: int = 1
    pages: int = 0
    capped: bool = False
    page_past_end: bool = False

    @property
    def page_numbers(self) -> list:
        """GOV.UK pagination: first, last and the pages around this one; None for a gap."""
        wanted = {1, self.pages, self.page - 1, self.page, self.page + 1}
        out, last = [], 0
        for n in sorted(p for p in wanted if 1 <= p <= self.pages):
            if n > last + 1:
                out.append(None)
            out.append(n)
            last = n
        return out


SELECTS = {
    "updates": ("force", "record__recommendation__inspection"),
    "responses": ("force", "recommendation__inspection", "version__response"),
}


def search(parsed: ParsedQuery, filters: SearchFilters, *, kind: str = "updates", page: int = 1) -> Results:
    """One page of `kind` matches, with the number of matches of each kind (for the switch)."""
    ids = {k: ranked_ids(k, parsed, filters) for k in KINDS}
    chosen = ids[kind]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    past_end = page > pages
    page = min(max(page, 1), pages)
    page_ids = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    objects = KINDS[kind][0].objects.filter(pk__in=page_ids).select_related(*SELECTS[kind]).in_bulk()
    marks = headlines(kind, parsed, page_ids)
    return Results(
        kind=kind,
        hits=[Hit(objects[pk], marks.get(pk, "")) for pk in page_ids if pk in objects],
        total=len(chosen),
        counts={k: len(v) for k, v in ids.items()},
        page=page,
        pages=pages if chosen else 0,
        capped=len(chosen) >= MAX_RESULTS,
        page_past_end=past_end and bool(chosen),
    )


def all_hits(parsed: ParsedQuery, filters: SearchFilters, kind: str) -> list:
    """Every match of `kind` (at most MAX_RESULTS), best first, for an export."""
    ids = ranked_ids(kind, parsed, filters)
    objects = KINDS[kind][0].objects.filter(pk__in=ids).select_related(*SELECTS[kind]).in_bulk()
    return [objects[pk] for pk in ids if pk in objects]
