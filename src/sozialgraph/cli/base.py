"""The click group every command hangs on, and the object it carries (settings, language, store)."""

from __future__ import annotations

import click

from sozialgraph import config
from sozialgraph.analysis import lebenslagen
from sozialgraph.context import Context
from sozialgraph.errors import SozialgraphError, StoreLockedError


class Obj:
    """Carried in click's context: settings, language, lazily opened store."""

    def __init__(self, settings: dict, lang: str):
        self.settings = settings
        self.lang = lang
        self._ctx: Context | None = None

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            self._ctx = Context(self.settings)
        return self._ctx

    def refresh_analysis(self, reason: str) -> None:
        """After a write that changes the analysis inputs: recompute it (setting analysis_after_write)."""
        summary = lebenslagen.refresh(self.ctx, reason)
        if summary:
            click.echo(self.msg(f"Analyse aktualisiert ({summary['seconds']:.1f} s).",
                                f"Analysis refreshed ({summary['seconds']:.1f} s)."), err=True)

    @property
    def store(self):
        try:
            return self.ctx.store
        except StoreLockedError as exc:
            raise click.ClickException(exc.message(self.lang)) from None

    def close(self) -> None:
        """Release the store now (RocksDB holds a process lock until the handle is gone)."""
        if self._ctx is not None:
            self._ctx.close()
        self._ctx = None

    def msg(self, de: str, en: str) -> str:
        return en if self.lang == "en" else de


pass_obj = click.make_pass_decorator(Obj)


class Group(click.Group):
    """Turns a user-facing error (a locked store, …) into a clear message (exit 1) wherever it arises."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SozialgraphError as exc:  # a locked store, an unreachable remote store, …
            obj = ctx.find_object(Obj)
            raise click.ClickException(exc.message(obj.lang if obj else "de")) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option("--store", "store_path", metavar="PATH", help="Store directory (env SOZIALGRAPH_STORE; default var/store).")
@click.option("--store-url", metavar="URL", help="Query URL of a remote SPARQL 1.1 store (env SOZIALGRAPH_STORE_URL).")
@click.option("--store-update-url", metavar="URL", help="Update URL of the remote store (default: the query URL).")
@click.option("--config", "config_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False),
              help="TOML settings file (env SOZIALGRAPH_CONFIG).")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True,
              help="Language of messages and reports.")
@click.version_option(package_name="sozialgraph")
@click.pass_context
def main(click_ctx: click.Context, store_path: str | None, store_url: str | None, store_update_url: str | None,
         config_file: str | None, lang: str) -> None:
    """sozialgraph: Wer bietet was, für wen, wo? Linked data on Cologne's social infrastructure.

    Settings come from defaults < --config file < SOZIALGRAPH_* environment < flags; `sozialgraph settings`
    lists them.
    """
    try:
        settings = config.load({"store": store_path, "store_url": store_url, "store_update_url": store_update_url},
                               config_file)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click_ctx.obj = Obj(settings, lang)
    click_ctx.call_on_close(click_ctx.obj.close)
