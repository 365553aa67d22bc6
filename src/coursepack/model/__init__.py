"""The course as immutable values: no YAML, no HTML, no output paths.

Every node carries an optional ``origin`` (file, line, column) so that checks and
exporters can point an author at the spec line a problem comes from. Origins are
excluded from equality so that two identical courses compare equal wherever they
were read from.

- ``content``: sources, quotes, lessons, objectives, facilitator notes;
- ``questions``: the ten question types, joined in ``Question``;
- ``course``: quizzes, pools, modules and the course, with the top-level fields of
  course.yaml it does not know (``Section``: format and lint settings, read by their owners).
"""

from coursepack.errors import Origin
from coursepack.model.content import (
    FacilitatorNotes,
    KeyTerm,
    Lesson,
    Objective,
    Quote,
    Scenario,
    Source,
    Timing,
)
from coursepack.model.course import Course, Module, Pool, Quiz, QuizSettings, Section
from coursepack.model.questions import (
    QUESTION_TYPES,
    Blank,
    BlankKind,
    Choice,
    Description,
    Essay,
    Feedback,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Pair,
    Question,
    QuestionBase,
    Scoring,
    ShortAnswer,
    SingleChoice,
    SourceRef,
    Tolerance,
    TrueFalse,
    type_name,
)
from coursepack.model.text import (
    NO_TEXT,
    Asset,
    Markdown,
    assets_of,
    joined,
    markdown,
    markdown_texts,
)

__all__ = [
    "NO_TEXT",
    "QUESTION_TYPES",
    "Asset",
    "Blank",
    "BlankKind",
    "Choice",
    "Course",
    "Description",
    "Essay",
    "FacilitatorNotes",
    "Feedback",
    "FillBlanks",
    "KeyTerm",
    "Lesson",
    "Markdown",
    "Matching",
    "Module",
    "MultipleResponse",
    "Numeric",
    "NumericAnswer",
    "Objective",
    "Ordering",
    "Origin",
    "Pair",
    "Pool",
    "Question",
    "QuestionBase",
    "Quiz",
    "QuizSettings",
    "Quote",
    "Scenario",
    "Scoring",
    "Section",
    "ShortAnswer",
    "SingleChoice",
    "Source",
    "SourceRef",
    "Timing",
    "Tolerance",
    "TrueFalse",
    "assets_of",
    "joined",
    "markdown",
    "markdown_texts",
    "type_name",
]
