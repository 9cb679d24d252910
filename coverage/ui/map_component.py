"""The map on the page: streamlit-folium's front end fed with a cached base map and text updates.

``streamlit_folium.st_folium`` renders the whole folium figure on every script run (Jinja for each
element, branca renders, a regex and ``dedent`` over every update), ~0.06-0.1 s per run for this
app. Here the same front end (the component build streamlit-folium ships as package data) gets the
same arguments, made in two parts:

* :func:`base_map` renders the base map (Leaflet header, html, map script with the static town
  layer, the key that decides when the front end reloads the map) once, as st_folium would; the app
  caches the :class:`BaseMap` per data version, basemap and bounds;
* each run sends only the update groups (:class:`coverage.ui.map.Overlay`: a name and scripts
  written as text by :mod:`coverage.ui.map`), assembled by :func:`feature_group_js` / :func:`layer_control_js` into the
  ``feature_group`` and ``layer_control`` strings st_folium would make for the same folium groups
  (``feature_group_feature_group_<i>`` variables, ``window.feature_group``, ``window.layer_control``).

The front end re-runs those strings only when they change, and reloads the map only when the key
(a hash of the base map script, :func:`streamlit_folium.generate_js_hash`) changes.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass, field
from textwrap import dedent
from typing import Any, Iterable, Mapping, Sequence

import folium
import streamlit as st
import streamlit.components.v1 as components
from streamlit_folium import generate_js_hash, generate_leaflet_string

from coverage.ui.map import Overlay, drawn_js, js_json, tile_error_js

__all__ = ["FRONTEND", "BaseMap", "base_map", "feature_group_js", "layer_control_js", "map_args",
           "show_map", "group_name"]

#: streamlit-folium's built front end (public package data of the ``streamlit_folium`` package).
FRONTEND = importlib.resources.files("streamlit_folium") / "frontend" / "build"

_COMPONENT = components.declare_component("coverage_map", path=str(FRONTEND))

#: What st_folium returns before the first interaction (filtered by ``returned_objects``).
_DEFAULT_KEYS = ("last_clicked", "last_object_clicked", "last_object_clicked_count", "last_object_clicked_tooltip",
                 "last_object_clicked_popup", "all_drawings", "last_active_drawing", "bounds", "zoom",
                 "last_circle_radius", "last_circle_polygon", "selected_layers", "selected_tags",
                 "last_geocoder_result")


@dataclass(frozen=True)
class BaseMap:
    """The parts of a folium map that do not change between runs, as st_folium sends them.

    Attributes
    ----------
    script, header, html, id : str
        The map's script, its header without links, its HTML and the figure's name.
    css_links, js_links : tuple of str
        The style sheets and scripts the front end loads (``data:`` URLs for the offline map).
    controls : tuple of (str, str, bool)
        The base map's layers shown in the layer control: ``(name, js variable, overlay)``.
    bounds, zoom
        The component's default values of those fields.
    hashes : dict
        The component keys already computed (:meth:`hash_key`).
    """

    script: str
    header: str
    html: str
    id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    controls: tuple[tuple[str, str, bool], ...]
    bounds: dict[str, dict[str, Any]]
    zoom: Any
    hashes: dict[tuple[str, bool], str] = field(default_factory=dict, compare=False, repr=False)

    def hash_key(self, key: str | None, return_on_hover: bool = False) -> str:
        """The component key st_folium gives this map (:func:`streamlit_folium.generate_js_hash`).

        Parameters
        ----------
        key : str, optional
            The widget key the map is shown under.
        return_on_hover : bool
            As st_folium's argument.

        Returns
        -------
        str
            The key; a new one makes the front end load the map again. Computed once per argument.
        """
        found = self.hashes.get((str(key), return_on_hover))
        if found is None:
            found = self.hashes[(str(key), return_on_hover)] = generate_js_hash(self.script, key, return_on_hover)
        return found


_SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc=["\']([^"\']*)["\'][^>]*>.*?</script\b[^>]*>', re.IGNORECASE | re.DOTALL)
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="(.*?)"/>')


def _header(header: str, map_id: str) -> str:
    """The rendered header without its script / style-sheet links (the front end loads those)."""
    header = _SCRIPT_SRC.sub("", header)
    header = _CSS_LINK.sub("", header)
    header = re.sub(r'(L\.Icon\.Default\.imagePath\s*=\s*["\'])([^"\']*?/dist)(["\'])', r"\1\2/images/\3", header)
    return header.replace(map_id, "map_div")


def base_map(fig: folium.Map) -> BaseMap:
    """Render ``fig`` once the way st_folium does, keeping what the front end needs.

    Parameters
    ----------
    fig : folium.Map
        The base map (:func:`coverage.ui.map.offline_map` and its fixed layers). It is used up:
        rendering renames its elements (streamlit-folium's
        :func:`~streamlit_folium.generate_leaflet_string`); make a new figure for another base map.

    Returns
    -------
    BaseMap
    """
    fig.get_root().render()
    fig.render()
    html = re.sub(r'<div class="folium-map" id=".*" ></div>', "", fig.get_root().html.render()).strip()
    rendered = fig.get_root().header.render()
    header = _header(rendered, fig.get_name())
    # The links the elements declared (default_js / default_css), in the order they were rendered.
    js_links = tuple(dict.fromkeys(_SCRIPT_SRC.findall(rendered)))
    css_links = tuple(dict.fromkeys(_CSS_LINK.findall(rendered)))
    try:
        (south, west), (north, east) = fig.get_bounds()
    except AttributeError:  # pragma: no cover - a folium.Map always has bounds
        south = west = north = east = None
    zoom = fig.options.get("zoom") if hasattr(fig, "options") else {}
    script = generate_leaflet_string(fig)
    script = script.replace("alert(coords);", "")
    script = re.sub(r"drawnItems_draw_control_div_\d+", "drawnItems", script)
    script = dedent(script)
    if "drawnItems" not in script:
        script += "\nvar drawnItems = [];"
    # The layers of the base map in the layer control, under the names the script gives them.
    control = folium.LayerControl()
    control.add_to(fig)
    control.render()
    controls = tuple((name, var, False) for name, var in control.base_layers.items()) + tuple(
        (name, var, True) for name, var in control.overlays.items())
    return BaseMap(script=script, header=header, html=html, id=fig.get_name(),
                   css_links=css_links, js_links=js_links, controls=controls,
                   bounds={"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
                   zoom=zoom)


def group_name(index: int) -> str:
    """The JavaScript variable of update group ``index`` (st_folium's name for it).

    Parameters
    ----------
    index : int
        The group's place among the overlays sent.

    Returns
    -------
    str
        ``feature_group_feature_group_<index>``.
    """
    return f"feature_group_feature_group_{int(index)}"


def feature_group_js(overlays: Sequence[Overlay], page_token: str | None = None,
                     tile_error: str | None = None) -> str:
    """The ``feature_group`` argument st_folium makes for the same groups (one string, run by the front end).

    Parameters
    ----------
    overlays : sequence of Overlay
        Bottom to top (:func:`coverage.ui.views.map_overlays`).
    page_token : str, optional
        A token of the session: the string ends with :func:`coverage.ui.map.drawn_js`, which
        sends the map's value to the page once per token (a session started on a page left open,
        e.g. after a server restart, then gets the drawn signal its second run waits for).
        Without it, the string is exactly st_folium's.
    tile_error : str, optional
        The basemap-failure message in the page's language (:func:`coverage.ui.map.tile_error_js`):
        the base map, one script for every language, shows it instead of its own text.

    Returns
    -------
    str
        The script the front end runs when it changes.
    """
    out = []
    for i, overlay in enumerate(overlays):
        var = group_name(i)
        out.append(f"var {var} = L.featureGroup(\n    {{\n}}\n);\n")
        out.extend(script(var) for script in overlay.scripts)
        out.append(f"{var}.addTo(map_div);\n"
                   f"map_div.addLayer({var});\n"
                   "window.feature_group = window.feature_group || [];\n"
                   f"window.feature_group.push({var});\n")
    if tile_error is not None:
        out.append(tile_error_js(tile_error))
    if page_token is not None:
        out.append(drawn_js(page_token))
    return "".join(out)


def layer_control_js(base: BaseMap, overlays: Sequence[Overlay], collapsed: bool = True,
                     names: Mapping[str, str] | None = None) -> str:
    """The ``layer_control`` argument st_folium makes for ``folium.LayerControl(collapsed=...)``.

    Parameters
    ----------
    base : BaseMap
        The cached base map; its own control entries (e.g. the towns layer) come first.
    overlays : sequence of Overlay
        This run's overlays; those with ``control`` get an entry each.
    collapsed : bool
        The control starts folded.
    names : mapping, optional
        New titles for the base map's entries (its names were written once, in one language):
        the control is sent again on every run, so a language switch retitles it without a reload.

    Returns
    -------
    str
        The script the front end runs after :func:`feature_group_js`'s.
    """
    base_layers: dict[str, str] = {}
    layers: dict[str, str] = {}
    names = names or {}
    entries = [(names.get(n, n), var, overlay) for n, var, overlay in base.controls]
    entries += [(o.name, group_name(i), True) for i, o in enumerate(overlays) if o.control]
    for name, var, overlay in entries:
        (layers if overlay else base_layers)[name] = var

    def rows(items: dict[str, str]) -> str:
        return "".join(f"\n        {js_json(name)} : {var}," for name, var in items.items())

    return ("var layer_control_layer_control_layers = {\n"
            f"    base_layers : {{{rows(base_layers)}\n    }},\n"
            f"    overlays :  {{{rows(layers)}\n    }},\n"
            "};\n"
            "let layer_control_layer_control = L.control.layers(\n"
            "    layer_control_layer_control_layers.base_layers,\n"
            "    layer_control_layer_control_layers.overlays,\n"
            f"    {{\n  \"position\": \"topright\",\n  \"collapsed\": {js_json(bool(collapsed))},\n"
            "  \"autoZIndex\": true,\n}\n"
            ").addTo(map_div);\n"
            "window.layer_control = layer_control_layer_control;\n")


def map_args(base: BaseMap, feature_group: str | None, layer_control: str | None, key: str | None = None,
             height: int = 700, width: int | None = 500, returned_objects: Iterable[str] | None = None,
             zoom: int | None = None, center: tuple[float, float] | None = None,
             return_on_hover: bool = False, pixelated: bool = False,
             wrap_longitude: bool = False) -> dict[str, Any]:
    """The component's arguments, as ``st_folium(fig, key, height, width, returned_objects, ...)`` sends them.

    Parameters
    ----------
    base : BaseMap
        The cached base map.
    feature_group, layer_control : str or None
        :func:`feature_group_js` / :func:`layer_control_js` (None: none).
    key : str, optional
        The widget key (the component key is :meth:`BaseMap.hash_key` of it).
    height : int
        Pixels.
    width : int or None
        Pixels; None is the container's width (st_folium's ``use_container_width``).
    returned_objects : iterable of str, optional
        What the map reports (st_folium's argument; None: everything).
    zoom, center, return_on_hover, pixelated, wrap_longitude
        As st_folium's arguments.

    Returns
    -------
    dict
        The component's keyword arguments, as st_folium passes them.
    """
    returned = None if returned_objects is None else list(returned_objects)
    values = {"bounds": base.bounds, "zoom": base.zoom}
    default = {k: values.get(k) for k in _DEFAULT_KEYS if returned is None or k in returned}
    return {"script": base.script, "header": base.header, "html": base.html, "id": base.id,
            "key": base.hash_key(key, return_on_hover), "height": height, "width": width,
            "returned_objects": returned, "default": default, "zoom": zoom, "center": center,
            "feature_group": feature_group, "return_on_hover": return_on_hover, "layer_control": layer_control,
            "pixelated": pixelated, "css_links": list(base.css_links), "js_links": list(base.js_links),
            "wrap_longitude": wrap_longitude}


def show_map(base: BaseMap, feature_group: str | None, layer_control: str | None, key: str,
             **options: Any) -> Any:
    """Draw the map (the component with :func:`map_args`) and return what it reports.

    As with st_folium, what the map reports on a change is also put in ``st.session_state[key]``
    before the next run (so a click can be read before the page is drawn).

    Parameters
    ----------
    base : BaseMap
        The cached base map.
    feature_group, layer_control : str or None
        :func:`feature_group_js` / :func:`layer_control_js`.
    key : str
        The widget key (``st.session_state[key]`` gets the map's value).
    **options
        :func:`map_args`' other arguments (``height``, ``width``, ``returned_objects``…).

    Returns
    -------
    dict or None
        What the map reported (its default values before any interaction).
    """
    args = map_args(base, feature_group, layer_control, key=key, **options)
    hash_key = args["key"]

    def changed() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return _COMPONENT(**args, on_change=changed)
