"""Lone runs of text folded into their parents (``spans.fold_text_spans``), on structure
trees made by hand: what WeasyPrint writes, and what it might write one day (a Span with
a language, on another page, holding two runs) and must then be left as it is."""

from __future__ import annotations

import io

import pikepdf
import pydyf

from coursepack.exporters.pdf.spans import fold_text_spans


class Tree:
    """A two-page pydyf PDF with an empty Document element and parent tree."""

    def __init__(self) -> None:
        self.pdf = pydyf.PDF()
        self.pages: list[pydyf.Dictionary] = []
        for _ in range(2):
            page = pydyf.Dictionary({"Type": "/Page", "Parent": self.pdf.pages.reference,
                                     "MediaBox": pydyf.Array([0, 0, 100, 100])})
            self.pdf.add_page(page)
            self.pages.append(page)
        self.owners = [pydyf.Array(), pydyf.Array()]
        self.parent_tree = self._add({"Nums": pydyf.Array([0, self.owners[0],
                                                           1, self.owners[1]])})
        root = self._add({"Type": "/StructTreeRoot", "ParentTree": self.parent_tree.reference})
        self.document = self._add({"Type": "/StructElem", "S": "/Document", "K": pydyf.Array(),
                                   "P": root.reference})
        root["K"] = pydyf.Array([self.document.reference])
        self.pdf.catalog["StructTreeRoot"] = root.reference

    def _add(self, values: dict[str, object]) -> pydyf.Dictionary:
        found = pydyf.Dictionary(values)
        self.pdf.add_object(found)
        return found

    def element(self, tag: str, parent: pydyf.Dictionary, page: int = 0,
                **extra: object) -> pydyf.Dictionary:
        made = self._add({"Type": "/StructElem", "S": tag, "K": pydyf.Array(),
                          "Pg": self.pages[page].reference, "P": parent.reference, **extra})
        parent["K"].append(made.reference)
        return made

    def run(self, parent: pydyf.Dictionary, page: int = 0, tag: str = "/Span",
            **extra: object) -> tuple[pydyf.Dictionary, int]:
        """A Span holding one new run of text on ``page``, owned by it in the parent tree."""
        span = self.element(tag, parent, page, **extra)
        mcid = len(self.owners[page])
        span["K"].append(mcid)
        self.owners[page].append(span.reference)
        return span, mcid


def test_a_paragraphs_lines_become_its_own_runs() -> None:
    tree = Tree()
    paragraph = tree.element("/P", tree.document)
    (first, one), (second, two) = tree.run(paragraph), tree.run(paragraph)
    fold_text_spans(tree.pdf)
    assert list(paragraph["K"]) == [one, two]
    assert list(tree.owners[0]) == [paragraph.reference, paragraph.reference]
    assert first == {} and second == {}  # owned by no one: a joined PDF leaves them out


def test_an_html_span_around_one_run_folds_too() -> None:
    tree = Tree()
    paragraph = tree.element("/P", tree.document)
    html_span = tree.element("/Span", paragraph)
    line, mcid = tree.run(html_span)
    fold_text_spans(tree.pdf)
    assert list(paragraph["K"]) == [mcid] and tree.owners[0][mcid] == paragraph.reference
    assert line == {} and html_span == {}


def test_a_span_that_says_more_than_its_run_is_kept() -> None:
    tree = Tree()
    paragraph = tree.element("/P", tree.document)
    kept = [tree.run(paragraph, Lang=pydyf.String("ar"))[0],
            tree.run(paragraph, ActualText=pydyf.String("x"))[0],
            tree.run(paragraph, page=1)[0],  # a run on another page than its parent
            tree.run(tree.document)[0],  # the document's kids stay elements
            tree.run(paragraph, tag="/Code")[0]]
    two = tree.element("/Span", paragraph)
    two["K"].extend([len(tree.owners[0]), len(tree.owners[0]) + 1])
    tree.owners[0].extend([two.reference, two.reference])
    before = [dict(element) for element in kept]
    fold_text_spans(tree.pdf)
    assert [dict(element) for element in kept] == before
    assert list(paragraph["K"]) == [e.reference for e in (kept[0], kept[1], kept[2],
                                                          kept[4], two)]


def test_a_run_the_parent_tree_gives_to_another_element_is_left_alone() -> None:
    tree = Tree()
    paragraph = tree.element("/P", tree.document)
    span, mcid = tree.run(paragraph)
    other = tree.element("/P", tree.document)
    tree.owners[0][mcid] = other.reference
    fold_text_spans(tree.pdf)
    assert list(paragraph["K"]) == [span.reference] and span["K"] == [mcid]


def test_the_folded_pdf_is_written_and_read_back_whole() -> None:
    tree = Tree()
    paragraph = tree.element("/P", tree.document)
    tree.run(paragraph)
    tree.run(paragraph, page=1)
    fold_text_spans(tree.pdf)
    out = io.BytesIO()
    tree.pdf.write(out, compress=True)
    with pikepdf.Pdf.open(io.BytesIO(out.getvalue())) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        read = document.K[0]
        assert read.S == "/P" and read.K[0] == 0 and read.K[1].S == "/Span"
        owners = pdf.Root.StructTreeRoot.ParentTree.Nums
        assert owners[1][0].objgen == read.objgen and owners[3][0].objgen == read.K[1].objgen


def test_a_pdf_without_tags_is_left_as_it_is() -> None:
    pdf = pydyf.PDF()
    fold_text_spans(pdf)
    assert "StructTreeRoot" not in pdf.catalog
