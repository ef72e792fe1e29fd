"""`sozialgraph geodata import FILE`: the city's district geometries (GeoJSON) into …/graph/geo."""

from __future__ import annotations

import click
from sozialgraph.cli.base import Obj, main, pass_obj
from sozialgraph.reference.geodata import GeodataError, import_geojson


@main.group()
def geodata() -> None:
    """District geometries for the maps (GeoSPARQL in the graph …/graph/geo)."""

@geodata.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_obj
def import_cmd(obj: Obj, file: str) -> None:
    """Import Stadtteil or Stadtbezirk polygons from a GeoJSON FILE (WGS84), matched by official number
    (feature property stadtteil_nr or stadtbezirk_nr). Geometries of other areas are kept."""

    obj.store  # a clear message when the store is locked
    error = None
    try:
        n, unmatched = import_geojson(obj.ctx, file)
    except GeodataError as exc:
        error = exc.message(obj.lang)
    if error:  # raised outside the except block: no traceback keeps the store (and its lock) alive
        raise click.ClickException(error)
    click.echo(obj.msg(f"{n} Gebietsgeometrien importiert (Graph …/graph/geo).",
                       f"{n} area geometries imported (graph …/graph/geo)."))
    if unmatched:
        click.echo(obj.msg("Nicht zugeordnet: ", "Not matched: ") + ", ".join(unmatched[:20])
                   + (" …" if len(unmatched) > 20 else ""), err=True)
