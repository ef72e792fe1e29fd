"""HSDS 3.0 (Open Referral Human Services Data Specification): export of the public offers and import into a submission.

Mapping (sozialgraph -> HSDS):

- provider (sg:Provider; the responsible office when an offer names none) -> ``organization`` (``uri`` = its IRI)
- offer (sg:Offer) -> ``service``; place (sg:Place) -> ``location`` + ``service_at_location``
- HSDS's own fields where they exist: ``minimum_age``/``maximum_age``, ``phones``, ``email``, ``url``,
  ``schedules`` (opening hours as text), ``languages`` (code = BCP 47 tag), ``cost_options`` (option = label),
  ``location.accessibility`` (description = label), ``location.addresses`` (only the public part),
  ``service_areas`` (Stadtteil or Stadtbezirk, ``uri`` = area IRI)
- every vocabulary (Zielgruppen, Angebotsarten, Lebenslagen, Reichweite, Barrierefreiheit, Kosten, Sprachen) and the
  goals and offices -> a ``taxonomy`` (``uri`` = scheme IRI or class IRI) with ``taxonomy_term``s (``term_uri`` =
  concept IRI, ``code`` = skos:notation, ``parent_id`` from skos:broader / sg:subGoalOf); links from an offer ->
  ``attribute``s of its service
- template columns that HSDS has no field for (kennung, gültig ab/bis, Plätze, erreichte Personen, vertraulich) ->
  ``attribute``s with a ``value`` whose term belongs to the taxonomy "sozialgraph-Felder" (term_uri = the property)

IDs are UUIDv5 of the IRIs, so an export is stable. The import maps HSDS (this JSON, or HSDS's Tabular Data Package
CSVs) to rows of the capture template and submits them through the normal submission path; terms of foreign
taxonomies are matched by name/code/IRI where our vocabularies know them and otherwise left out.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections import defaultdict
from pathlib import Path

from sozialgraph.errors import SozialgraphError
from sozialgraph import namespaces as ns
from sozialgraph.sparql.saved import load_query
from sozialgraph.capture.template import COLUMNS
from sozialgraph.capture.submissions import submit_file

FIELDS_TAXONOMY = ns.ONTOLOGY_IRI  # taxonomy of the value fields: uri = the ontology
# template column -> property IRI of the value fields carried as attribute values
VALUE_FIELDS = {
    "kennung": ns.PREFIXES["dcterms"] + "identifier",
    "gueltig_ab": ns.PREFIXES["schema"] + "validFrom",
    "gueltig_bis": ns.PREFIXES["schema"] + "validThrough",
    "plaetze": ns.SG + "capacity",
    "erreichte_personen": ns.SG + "peopleReachedPerYear",
    "vertraulich": ns.SG + "confidential",
}
# taxonomy (scheme or class IRI) -> template column
SCHEME_COLUMNS = {
    ns.ID + "angebotsart": "angebotsart",
    ns.ID + "zielgruppe": "zielgruppen",
    ns.ID + "lebenslage": "lebenslagen",
    ns.ID + "reichweite": "reichweite",
    ns.ID + "barrierefreiheit": "barrierefrei",
    ns.ID + "kosten": "kosten",
    ns.ID + "sprache": "sprachen",
    ns.SG + "Goal": "ziele",
    ns.SG + "Office": "amt",
}
# query variable (space-separated IRIs) -> taxonomy it links into
LINK_VARS = ("art", "zielgruppen", "lebenslagen", "reichweite", "barrierefrei", "kosten", "ziele", "amt", "sprachen")
FILES = ("services", "organizations", "locations", "service_at_locations", "taxonomies", "taxonomy_terms")
# HSDS entity of each file (schema/{entity}.json); services use schema/compiled/service_with_definitions.json
ENTITY = {"organizations": "organization", "locations": "location", "service_at_locations": "service_at_location",
          "taxonomies": "taxonomy", "taxonomy_terms": "taxonomy_term"}


class HSDSError(SozialgraphError, ValueError):
    status = 422


def uid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "#".join(parts)))


def page(items: list[dict]) -> dict:
    """HSDS's paginated list response, everything on one page."""
    return {"total_items": len(items), "total_pages": 1, "page_number": 1, "size": len(items),
            "first_page": True, "last_page": True, "empty": not items, "contents": items}


def _num(value: str | None):
    if value in (None, ""):
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def _datetime(value: str | None) -> str | None:
    if not value:
        return None
    return value if "T" in value else value[:10] + "T00:00:00Z"


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [])}


# -- export ----------------------------------------------------------------------------------------------------
def build_taxonomies(store) -> tuple[list[dict], list[dict], dict[str, dict]]:
    rows = store.select(load_query("hsds-taxonomy", internal=True).text, public_only=True)
    taxonomies: dict[str, dict] = {}
    terms: dict[str, dict] = {}
    for r in rows:
        scheme = r["schema"].value
        if scheme not in taxonomies:
            name = r["schemaName"].value if "schemaName" in r else scheme.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            taxonomies[scheme] = {"id": uid(scheme), "name": name,
                                  "description": f"sozialgraph Köln: {name}", "uri": scheme}
        iri = r["begriff"].value
        name = r["name"].value if "name" in r else iri.rsplit("/", 1)[-1]
        terms[iri] = _clean({
            "id": uid(iri), "code": r["code"].value if "code" in r else None, "name": name,
            "description": r["definition"].value if "definition" in r else name,
            "parent_id": uid(r["ober"].value) if "ober" in r else None,
            "taxonomy": taxonomies[scheme]["name"], "taxonomy_id": taxonomies[scheme]["id"],
            "language": "deu", "term_uri": iri,
        })
    fields = {"id": uid(FIELDS_TAXONOMY, "felder"), "name": "sozialgraph-Felder",
              "description": "Felder der sozialgraph-Erfassungsvorlage ohne Gegenstück in HSDS; der Wert steht im "
                             "Attribut (value).", "uri": FIELDS_TAXONOMY}
    taxonomies[FIELDS_TAXONOMY] = fields
    for col, prop in VALUE_FIELDS.items():
        terms[prop] = {"id": uid(prop, "feld"), "code": col, "name": col, "description": f"Spalte {col}",
                       "taxonomy": fields["name"], "taxonomy_id": fields["id"], "language": "deu", "term_uri": prop}
    return list(taxonomies.values()), list(terms.values()), terms


def _term_with_detail(term: dict, taxonomies: dict[str, dict]) -> dict:
    return {**term, "taxonomy_detail": taxonomies[term["taxonomy_id"]]}


def offer_records(store, offer: str | None = None):
    """Rows of queries/internal/hsds-offers.rq as dicts of text, one office graph at a time (a dataset of that graph
    plus vocabularies and reference data is much faster than the union of all public graphs)."""
    import pyoxigraph as ox

    saved = load_query("hsds-offers", internal=True)
    graphs = [g for g in store.public_graphs() if g.startswith(ns.GRAPH + "office/")]
    subs = None
    if offer:
        subs = {"angebot": ox.NamedNode(offer)}
        code = offer[len(ns.ID + "angebot/"):].split("/", 1)[0] if offer.startswith(ns.ID + "angebot/") else ""
        # the office graph named in the offer's IRI first; any other public office graph if it is not there
        own = [g for g in graphs if g == ns.office_graph(code)]
        graphs = own + [g for g in graphs if g not in own]
    for g in graphs:
        found = False
        for r in store.select(saved.render(subs or {}), public_only=True,
                              default_graph=[ns.G_VOCAB, ns.G_REFERENCE, g]):
            found = True
            yield {k: t.value for k, t in r.items()}
        if offer and found:
            return


def build_hsds(store) -> dict[str, list[dict]]:
    """All HSDS entities for the public offers (lists of plain dicts)."""
    taxonomies, term_list, terms = build_taxonomies(store)
    tax_by_id = {t["id"]: t for t in taxonomies}
    orgs: dict[str, dict] = {}
    locations: dict[str, dict] = {}
    sals: list[dict] = []
    services: list[dict] = []
    for v in offer_records(store):
        offer = v["angebot"]
        sid = uid(offer)
        org_iri = v.get("traeger") or v.get("amt") or ns.ID + "org/unbekannt"
        org_name = v.get("traegerName") if v.get("traeger") else v.get("amtName", "")
        org = orgs.setdefault(org_iri, _clean({
            "id": uid(org_iri), "name": org_name or org_iri.rsplit("/", 1)[-1],
            "description": "Träger von Angeboten der sozialen Infrastruktur in Köln (sozialgraph).",
            "uri": org_iri}))
        attributes = []

        def attach(term: dict, value: str | None = None):
            attributes.append(_clean({"id": uid(offer, term["term_uri"]), "link_id": sid, "link_type": "service",
                                      "link_entity": "service", "taxonomy_term_id": term["id"], "value": value,
                                      "taxonomy_term": _term_with_detail(term, tax_by_id)}))

        for var in LINK_VARS:
            for iri in (v.get(var) or "").split():
                if iri in terms:
                    attach(terms[iri])
        values = {"kennung": v.get("kennung"), "gueltig_ab": v.get("gueltigAb"), "gueltig_bis": v.get("gueltigBis"),
                  "plaetze": v.get("plaetze"), "erreichte_personen": v.get("erreichtePersonen"),
                  "vertraulich": "ja" if v.get("vertraulich") == "true" else None}
        for col, val in values.items():
            if val:
                attach(terms[VALUE_FIELDS[col]], val)
        service_sal = []
        if v.get("ort"):
            place = v["ort"]
            lid = uid(place)
            loc = _clean({
                "id": lid, "location_type": "physical", "name": v.get("ortName") or v.get("name"),
                "latitude": _num(v.get("lat")), "longitude": _num(v.get("long")),
                "external_identifier": place, "external_identifier_type": "IRI",
                "addresses": [_clean({"id": uid(place, "adresse"), "location_id": lid,
                                      "address_1": v["strasse"], "city": v.get("stadt") or "Köln",
                                      "state_province": "Nordrhein-Westfalen", "postal_code": v.get("plz") or "",
                                      "country": "DE", "address_type": "physical"})] if v.get("strasse") else [],
                "accessibility": [{"id": uid(place, "barrierefreiheit"), "location_id": lid,
                                   "description": terms[v["barrierefrei"]]["name"]}]
                if v.get("barrierefrei") in terms else [],
            })
            locations[place] = loc
            sal = {"id": uid(offer, place), "service_id": sid, "location_id": lid, "location": loc}
            sals.append({k: x for k, x in sal.items() if k != "location"})
            service_sal.append(sal)
        areas = []
        for var, kind in (("stadtteil", "Stadtteil"), ("bezirk", "Stadtbezirk")):
            if v.get(var):
                areas.append({"id": uid(offer, v[var]), "service_id": sid,
                              "name": v.get(var + "Name") or v[var].rsplit("/", 1)[-1], "description": kind,
                              "uri": v[var]})
        services.append(_clean({
            "id": sid, "organization_id": org["id"], "name": v.get("name") or v.get("kennung") or offer,
            "description": v.get("beschreibung"), "url": v.get("url"), "email": v.get("email"),
            "status": "active", "minimum_age": _num(v.get("alterVon")), "maximum_age": _num(v.get("alterBis")),
            "last_modified": _datetime(v.get("geaendert")), "organization": org,
            "phones": [{"id": uid(offer, "telefon"), "service_id": sid, "number": v["telefon"]}]
            if v.get("telefon") else [],
            "schedules": [{"id": uid(offer, "oeffnungszeiten"), "service_id": sid,
                           "description": v["oeffnungszeiten"]}] if v.get("oeffnungszeiten") else [],
            "service_areas": areas, "service_at_locations": service_sal,
            "languages": [_clean({"id": uid(offer, iri), "service_id": sid, "name": terms[iri]["name"],
                                  "code": terms[iri].get("code")})
                          for iri in (v.get("sprachen") or "").split() if iri in terms],
            "cost_options": [{"id": uid(offer, "kosten"), "service_id": sid, "option": terms[v["kosten"]]["name"]}]
            if v.get("kosten") in terms else [],
            "attributes": attributes,
        }))
    return {"services": services, "organizations": list(orgs.values()), "locations": list(locations.values()),
            "service_at_locations": sals, "taxonomies": taxonomies, "taxonomy_terms": term_list}


def export_hsds(store, outdir: Path, zip_too: bool = False) -> dict[str, int]:
    data = build_hsds(store)
    outdir.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        with open(outdir / f"{name}.json", "w", encoding="utf-8") as fh:
            json.dump(page(data[name]), fh, ensure_ascii=False, indent=1)
    if zip_too:
        with zipfile.ZipFile(outdir.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED) as z:
            for name in FILES:
                z.write(outdir / f"{name}.json", f"{name}.json")
    return {name: len(data[name]) for name in FILES}


def validators(schema_dir: Path) -> dict:
    """jsonschema validators from the official HSDS schema folder (schema/ of the specification)."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = []
    for p in schema_dir.glob("*.json"):
        contents = json.loads(p.read_text(encoding="utf-8"))
        resources.append((p.name, Resource(contents, specification=DRAFT202012)))
    registry = Registry().with_resources(resources)
    out = {}
    for fname, entity in ENTITY.items():
        out[fname] = Draft202012Validator({"$ref": f"{entity}.json"}, registry=registry,
                                          format_checker=FormatChecker())
    compiled = json.loads((schema_dir / "compiled" / "service_with_definitions.json").read_text(encoding="utf-8"))
    out["services"] = Draft202012Validator(compiled, format_checker=FormatChecker())
    return out


def validate_export(outdir: Path, schema_dir: Path) -> list[str]:
    """Every problem of an export against the HSDS schemas, as 'file[index].path: message' (empty: valid)."""
    checks = validators(schema_dir)
    problems = []
    for name in FILES:
        doc = json.loads((outdir / f"{name}.json").read_text(encoding="utf-8"))
        for i, item in enumerate(doc["contents"]):
            for err in checks[name].iter_errors(item):
                problems.append(f"{name}[{i}].{'.'.join(map(str, err.absolute_path))}: {err.message}")
    return problems


# -- import ----------------------------------------------------------------------------------------------------
def _read_source(source: Path) -> dict[str, bytes]:
    """File name -> bytes of the JSON or CSV files in a directory or a ZIP (sub-folders flattened)."""
    files: dict[str, bytes] = {}
    if source.is_dir():
        for p in source.rglob("*"):
            if p.suffix in (".json", ".csv"):
                files.setdefault(p.name, p.read_bytes())
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as z:
            for info in z.infolist():
                name = info.filename.rsplit("/", 1)[-1]
                if name.endswith((".json", ".csv")) and info.file_size < 512 * 1024 * 1024:
                    files.setdefault(name, z.read(info))
    else:
        raise HSDSError(f"{source} ist weder ein Ordner noch eine ZIP-Datei.", f"{source} is neither a folder nor a ZIP.")
    return files


def _contents(raw: bytes, name: str) -> list[dict]:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HSDSError(f"{name}: kein gültiges JSON ({exc}).", f"{name}: not valid JSON ({exc}).") from None
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        return doc["contents"]
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and "id" in doc:
        return [doc]
    raise HSDSError(f"{name}: erwartet eine HSDS-Liste (contents) oder ein Objekt.",
                    f"{name}: expected an HSDS list (contents) or an object.")


def _csv_rows(raw: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _services_from_tables(files: dict[str, bytes]) -> tuple[list[dict], dict, dict]:
    """Assemble nested services from HSDS's Tabular Data Package (services.csv, attributes.csv, …)."""
    t = {name[:-4]: _csv_rows(raw) for name, raw in files.items() if name.endswith(".csv")}
    by = defaultdict(list)
    for table, key in (("phones", "service_id"), ("schedules", "service_id"), ("service_areas", "service_id"),
                       ("languages", "service_id"), ("cost_options", "service_id"),
                       ("service_at_location", "service_id"), ("attributes", "link_id"),
                       ("addresses", "location_id"), ("accessibility", "location_id")):
        for row in t.get(table, []):
            by[(table, row.get(key))].append(row)
    locations = {r["id"]: {**r, "addresses": by[("addresses", r["id"])],
                           "accessibility": by[("accessibility", r["id"])]} for r in t.get("locations", [])}
    orgs = {r["id"]: r for r in t.get("organizations", [])}
    services = []
    for s in t.get("services", []):
        sid = s.get("id")
        services.append({**s,
                         "phones": by[("phones", sid)], "schedules": by[("schedules", sid)],
                         "service_areas": by[("service_areas", sid)], "languages": by[("languages", sid)],
                         "cost_options": by[("cost_options", sid)], "attributes": by[("attributes", sid)],
                         "service_at_locations": [{**sal, "location": locations.get(sal.get("location_id"))}
                                                  for sal in by[("service_at_location", sid)]]})
    terms = {r["id"]: r for r in t.get("taxonomy_terms", [])}
    taxonomies = {r["id"]: r for r in t.get("taxonomies", [])}
    return services, orgs, {"terms": terms, "taxonomies": taxonomies}


def read_hsds(source: Path) -> tuple[list[dict], dict, dict]:
    """Services (nested), organizations by id, and {'terms', 'taxonomies'} by id from a directory or ZIP."""
    files = _read_source(source)
    if "services.json" in files:
        services = _contents(files["services.json"], "services.json")
        orgs = {o["id"]: o for o in _contents(files["organizations.json"], "organizations.json")} \
            if "organizations.json" in files else {}
        terms = {x["id"]: x for x in _contents(files["taxonomy_terms.json"], "taxonomy_terms.json")} \
            if "taxonomy_terms.json" in files else {}
        taxes = {x["id"]: x for x in _contents(files["taxonomies.json"], "taxonomies.json")} \
            if "taxonomies.json" in files else {}
        return services, orgs, {"terms": terms, "taxonomies": taxes}
    if "services.csv" in files:
        return _services_from_tables(files)
    raise HSDSError(f"{source}: keine HSDS-Daten gefunden (services.json oder services.csv).",
                    f"{source}: no HSDS data found (services.json or services.csv).")


def _fmt_num(value) -> str:
    if value in (None, ""):
        return ""
    f = float(value)
    return str(int(f)) if f.is_integer() else str(f)


def service_to_row(s: dict, orgs: dict, lookup: dict) -> dict[str, str]:
    """One HSDS service -> one row of the capture template (column name -> text)."""
    row: dict[str, str] = {}
    multi: dict[str, list[str]] = defaultdict(list)
    for a in s.get("attributes") or []:
        term = a.get("taxonomy_term") or lookup["terms"].get(a.get("taxonomy_term_id")) or {}
        tax = term.get("taxonomy_detail") or lookup["taxonomies"].get(term.get("taxonomy_id")) or {}
        tax_uri = tax.get("uri", "")
        if tax_uri == FIELDS_TAXONOMY and term.get("code") in VALUE_FIELDS:
            row[term["code"]] = str(a.get("value") or "")
            continue
        col = SCHEME_COLUMNS.get(tax_uri)
        if col is None:
            continue  # a foreign taxonomy: not ours to interpret
        value = term.get("term_uri") or term.get("code") or term.get("name") or ""
        if col == "amt":
            value = term.get("code") or value
        if value:
            multi[col].append(value)
    for col, values in multi.items():
        row[col] = ";".join(dict.fromkeys(values))
    row.setdefault("kennung", str(s.get("id") or ""))
    row["bezeichnung"] = s.get("name") or ""
    row["beschreibung"] = s.get("description") or ""
    org = s.get("organization") or orgs.get(s.get("organization_id")) or {}
    row["traeger"] = org.get("name") or ""
    for area in s.get("service_areas") or []:
        uri = area.get("uri") or ""
        col = "stadtbezirk" if "/stadtbezirk/" in uri or area.get("description") == "Stadtbezirk" else "stadtteil"
        row.setdefault(col, uri or area.get("name") or "")
    for sal in s.get("service_at_locations") or []:
        loc = sal.get("location") or {}
        row["ort"] = "Köln"  # a location means a place; the template's default town unless an address says more
        for adr in (loc.get("addresses") or [])[:1]:
            row["strasse"] = adr.get("address_1") or ""
            row["plz"] = adr.get("postal_code") or ""
            row["ort"] = adr.get("city") or row["ort"]
        if loc.get("latitude") not in (None, "") and loc.get("longitude") not in (None, ""):
            row["breitengrad"], row["laengengrad"] = _fmt_num(loc["latitude"]), _fmt_num(loc["longitude"])
        if not row.get("barrierefrei"):
            for acc in (loc.get("accessibility") or [])[:1]:
                row["barrierefrei"] = acc.get("description") or ""
        break
    phones = s.get("phones") or []
    if phones:
        row["telefon"] = phones[0].get("number") or ""
    row["email"] = s.get("email") or ""
    row["website"] = s.get("url") or ""
    schedules = s.get("schedules") or []
    if schedules:
        row["oeffnungszeiten"] = schedules[0].get("description") or ""
    if not row.get("kosten") and s.get("cost_options"):
        row["kosten"] = s["cost_options"][0].get("option") or ""
    if not row.get("sprachen") and s.get("languages"):
        row["sprachen"] = ";".join(x.get("code") or x.get("name") or "" for x in s["languages"])
    row["alter_von"] = _fmt_num(s.get("minimum_age"))
    row["alter_bis"] = _fmt_num(s.get("maximum_age"))
    return {k: v for k, v in row.items() if v}


def rows_to_csv(rows: list[dict[str, str]]) -> bytes:

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[c.name for c in COLUMNS], lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def hsds_to_csv(source: Path) -> tuple[bytes, int]:
    try:
        services, orgs, lookup = read_hsds(source)
        if not isinstance(services, list):
            raise TypeError("services is not a list")
        rows = [service_to_row(s, orgs, lookup) for s in services]
    except HSDSError:
        raise
    except UnicodeDecodeError as exc:
        raise HSDSError(f"{source.name}: eine Datei ist nicht in UTF-8 kodiert ({exc.reason} an Position "
                        f"{exc.start}). Bitte als UTF-8 speichern.",
                        f"{source.name}: a file is not UTF-8 encoded ({exc.reason} at position {exc.start}). Please "
                        f"save it as UTF-8.") from None
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        # found by fuzzing: the reader follows HSDS 3.0's shapes; anything else is the file's fault, said so
        raise HSDSError(f"{source.name}: die HSDS-Daten haben nicht die Form von HSDS 3.0 ({type(exc).__name__}: "
                        f"{exc}). Prüfen Sie die Datei gegen die HSDS-Schemas (services, organizations).",
                        f"{source.name}: the HSDS data do not have HSDS 3.0's shape ({type(exc).__name__}: {exc}). "
                        f"Check the file against the HSDS schemas (services, organizations).") from None
    return rows_to_csv(rows), len(rows)


def import_hsds(ctx, source: Path, office: str, user: str | None = None, dry_run: bool = False):
    """Map HSDS to the capture template and submit it for ``office``; returns (SubmissionResult, number of rows)."""

    data, n = hsds_to_csv(source)
    if n == 0:
        raise HSDSError(f"{source}: enthält keine Dienste (services).", f"{source}: contains no services.")
    result = submit_file(ctx, data, f"hsds-{source.stem}.csv", office, user=user, content_type="text/csv",
                         dry_run=dry_run)
    return result, n
