"""Renders the nightly sales report from the layout bundled with the function."""

import pathlib

import jinja2
import jsonpickle
import yaml

LAYOUT = pathlib.Path(__file__).with_name("layout.yaml")


def handler(event, context):
    layout = yaml.safe_load(LAYOUT.read_text())
    template = jinja2.Template("{{ title }}: {{ rows | length }} sections")
    report = template.render(title=layout["title"], rows=layout["sections"])
    return {"report": report, "layout": jsonpickle.encode(layout)}
