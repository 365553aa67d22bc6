"""A small course written in Arabic, as a content writer would: a lesson whose sentences hold
a Latin name and numbers, and a quiz with single choice, matching and ordering questions.

The right-to-left tests (site in Chromium, PDFs, LMS files) build it in their tmp_path.
"""

from __future__ import annotations

from pathlib import Path

# Sentences the tests look for in what the formats give back.
SENTENCE = "تأسست مفوضية UNHCR في عام 1950 وتعمل اليوم في أكثر من 130 دولة."
NAME_SENTENCE = "قال Filippo Grandi إن السلام يبدأ بالإصغاء."
WORD = "سلام"
ORDER = ["اسأل", "أصغِ", "اقترح"]  # the ordering question's steps, in their right order

COURSE = """\
id: arabic-course
title: مبادئ الدبلوماسية الإنسانية
language: ar
version: "1.0"
authors: [Amal Haddad]
licence: CC-BY-4.0
description: دورة قصيرة عن الحوار مع السلطات من أجل حماية اللاجئين.
modules: [access]
quiz_defaults:
  pass_mark: 50
  attempts: 3
  shuffle_questions: false
  shuffle_options: false
"""

MODULE = """\
title: التفاوض من أجل الوصول
description: كيف نتحاور مع السلطات للوصول إلى اللاجئين.
objectives:
  - id: listen
    text: أن يشرح المتعلم لماذا يبدأ التفاوض بالإصغاء.
lessons: [listening, asking]
"""

LESSON = f"""\
title: الإصغاء أولًا
duration: 10
objectives: [listen]
summary: يبدأ التفاوض الجيد بالإصغاء إلى الطرف الآخر.
body: |
  ## {WORD} وحوار

  {SENTENCE}

  {NAME_SENTENCE}

  كلمة {WORD} تحية يفهمها الجميع.

  - اسأل قبل أن تقترح.
  - اكتب ما سمعته بكلمات الطرف الآخر.

  > الحوار يبدأ بالسؤال، لا بالجواب.
key_terms:
  - term: الوصول الإنساني
    definition: قدرة العاملين في المجال الإنساني على الوصول إلى المحتاجين.
"""

LESSON_TWO = """\
title: السؤال قبل الاقتراح
duration: 5
objectives: [listen]
summary: السؤال يفتح الباب، والاقتراح يأتي بعده.
body: |
  اسأل أولًا، ثم أصغِ، ثم اقترح حلًا.
"""

QUIZ = f"""\
title: "اختبار: الإصغاء"
module: access
description: ثلاثة أسئلة عن الدرس.
questions:
  - id: first
    type: single
    stem: بماذا يبدأ التفاوض الجيد؟
    objectives: [listen]
    choices:
      - text: بالإصغاء
        correct: true
        feedback: صحيح.
      - text: بتقديم اقتراح من UNHCR
        feedback: ليس بعد.
      - text: بالانتظار 30 يومًا
        feedback: لا.
  - id: pairs
    type: matching
    stem: صِل كل كلمة بمعناها.
    objectives: [listen]
    pairs:
      - prompt: الإصغاء
        match: أن تسمع قبل أن تتكلم
      - prompt: السؤال
        match: أن تطلب معلومة
      - prompt: الاقتراح
        match: أن تقدّم حلًا
  - id: steps
    type: ordering
    stem: رتّب خطوات الحوار.
    objectives: [listen]
    items: [{ORDER[0]}, {ORDER[1]}, {ORDER[2]}]
"""


def write_arabic_course(folder: Path) -> Path:
    """Write the Arabic course into ``folder`` (created) and return it."""
    module = folder / "modules" / "access"
    module.mkdir(parents=True)
    (folder / "quizzes").mkdir()
    (folder / "course.yaml").write_text(COURSE, encoding="utf-8")
    (module / "module.yaml").write_text(MODULE, encoding="utf-8")
    (module / "listening.yaml").write_text(LESSON, encoding="utf-8")
    (module / "asking.yaml").write_text(LESSON_TWO, encoding="utf-8")
    (folder / "quizzes" / "listening.yaml").write_text(QUIZ, encoding="utf-8")
    return folder
