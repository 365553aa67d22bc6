"""Validate SCORM and Common Cartridge documents against the official schemas, offline."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

from lxml import etree, isoschematron

from tests.conftest import SCHEMAS

SCORM12 = SCHEMAS / "scorm12"
SCORM2004 = SCHEMAS / "scorm2004_4th"
CC11 = SCHEMAS / "cc11"


class _Scorm12Fixes(etree.Resolver):
    """The two in-memory fixes ADL's 1.2 files need to compile in libxml2 (schemas/README.md)."""

    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        name = url.rsplit("/", 1)[-1]
        if name == "ims_xml.xsd":
            return self.resolve_filename(str(CC11 / "xml.xsd"), context)
        if name == "imsmd_rootv1p2p1.xsd":
            text = (SCORM12 / name).read_text(encoding="utf-8")
            text = text.replace('namespace="##any"', 'namespace="##other"')
            return self.resolve_string(text, context, base_url=str(SCORM12 / name))
        return None


def _driver(imports: dict[str, Path]) -> bytes:
    lines = [f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>'
             for ns, path in imports.items()]
    return ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'targetNamespace="urn:coursepack:test-driver">' + "".join(lines)
            + "</xs:schema>").encode()


@cache
def schema(kind: str) -> etree.XMLSchema:
    """The compiled schema set for ``scorm12``, ``scorm2004`` or ``cc11``."""
    parser = etree.XMLParser()
    if kind == "scorm12":
        parser.resolvers.add(_Scorm12Fixes())
        imports = {
            "http://www.imsproject.org/xsd/imscp_rootv1p1p2": SCORM12 / "imscp_rootv1p1p2.xsd",
            "http://www.adlnet.org/xsd/adlcp_rootv1p2": SCORM12 / "adlcp_rootv1p2.xsd",
            "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": SCORM12 / "imsmd_rootv1p2p1.xsd",
        }
    elif kind == "scorm2004":
        imports = {
            "http://www.imsglobal.org/xsd/imscp_v1p1": SCORM2004 / "imscp_v1p1.xsd",
            "http://www.adlnet.org/xsd/adlcp_v1p3": SCORM2004 / "adlcp_v1p3.xsd",
            "http://www.adlnet.org/xsd/adlseq_v1p3": SCORM2004 / "adlseq_v1p3.xsd",
            "http://www.adlnet.org/xsd/adlnav_v1p3": SCORM2004 / "adlnav_v1p3.xsd",
            "http://www.imsglobal.org/xsd/imsss": SCORM2004 / "imsss_v1p0.xsd",
            "http://ltsc.ieee.org/xsd/LOM": SCORM2004 / "lom.xsd",  # the manifest's metadata
        }
    else:
        imports = {ns: CC11 / name for ns, name in CC_SCHEMAS.items()}
    root = etree.fromstring(_driver(imports), parser, base_url=str(SCHEMAS / "driver.xsd"))
    return etree.XMLSchema(root)


CC_SCHEMAS = {
    "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": "ccv1p1_imscp_v1p2_v1p0.xsd",
    "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest": "ccv1p1_lommanifest_v1p0.xsd",
    "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource": "ccv1p1_lomresource_v1p0.xsd",
    "http://www.imsglobal.org/xsd/imsccv1p1/imsccauth_v1p1": "ccv1p1_imsccauth_v1p1.xsd",
}

QTI_CC = CC11 / "ccv1p1_qtiasiv1p2p1_v1p0.xsd"


def errors(doc: etree._ElementTree, kind: str) -> list[str]:
    """Schema errors of ``doc`` (empty when valid), plus the IDREFs libxml2 leaves unchecked."""
    checker = schema(kind)
    found = [] if checker.validate(doc) else [str(e) for e in checker.error_log]
    return found + idref_errors(doc)


def idref_errors(doc: etree._ElementTree) -> list[str]:
    """Every organizations/@default and identifierref must name an identifier in the manifest."""
    ids = set(doc.xpath("//@identifier"))
    refs = doc.xpath("//*[local-name()='organizations']/@default | //@identifierref")
    return [f"unresolved IDREF {ref!r}" for ref in refs if ref not in ids]


SCH = "http://purl.oclc.org/dsdl/schematron"
XS = "http://www.w3.org/2001/XMLSchema"


def extract_schematron(xsd: Path) -> etree._Element:
    """One ISO Schematron schema from the sch:ns and sch:pattern elements in the xs:appinfo."""
    source = etree.parse(str(xsd))
    found = source.xpath("//xs:appinfo//sch:ns | //xs:appinfo//sch:pattern",
                         namespaces={"xs": XS, "sch": SCH})
    schema = etree.Element(f"{{{SCH}}}schema", queryBinding="xslt", nsmap={"sch": SCH})
    ns = [e for e in found if e.tag == f"{{{SCH}}}ns"]
    seen = set()
    for element in ns:
        if element.get("prefix") not in seen:
            seen.add(element.get("prefix"))
            schema.append(copy.deepcopy(element))
    for element in found:
        if element.tag == f"{{{SCH}}}pattern":
            pattern = copy.deepcopy(element)
            pattern.attrib.pop("name", None)  # a pre-ISO attribute; ISO names patterns by id
            for node in pattern.iter():
                if node.get("abstract") == "false":  # ISO allows only abstract="true"
                    del node.attrib["abstract"]
            for rule in pattern.findall(f"{{{SCH}}}rule"):
                if not len(rule.findall(f"{{{SCH}}}assert")):  # ISO: a rule asserts something
                    pattern.remove(rule)
            schema.append(pattern)
    return schema


@cache
def schematron(xsd_name: str) -> isoschematron.Schematron:
    """The ISO Schematron rules embedded in a CC 1.1 XSD, compiled by lxml."""
    return isoschematron.Schematron(extract_schematron(CC11 / xsd_name), store_report=True)


def rule_count(xsd_name: str) -> int:
    """How many assertions the extracted rules hold (to show they are not empty)."""
    return len(extract_schematron(CC11 / xsd_name).xpath("//sch:assert", namespaces={"sch": SCH}))


def schematron_errors(doc: etree._ElementTree, xsd_name: str) -> list[str]:
    """Failed assertions of the Schematron rules in ``xsd_name`` (empty when all hold)."""
    rules = schematron(xsd_name)
    if rules.validate(doc):
        return []
    report = rules.validation_report
    texts = report.xpath("//svrl:failed-assert/svrl:text", namespaces=SVRL)
    return [" ".join(t.text.split()) for t in texts]


SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
